"""The office's own document types, for its administrator and its head: from a Word template to a type.

Upload a template (optionally starting from another type's definition) -> a drafted definition ->
correct labels, kinds, help, required/optional, choices, rules, the order and grouping of steps -> see
the wizard and a sample document as an assistant will -> publish. Every version is kept; earlier ones
(or a shipped type as shipped) can be put back; a type can be withdrawn from "Nowy dokument".
Built-in and shipped types can be downloaded as definitions (JSON) to start from.

A blueprint of its own (not the admin one, which is the administrator's only): the head of the office
changes the office's documents too. Neither sees family data here: previews use invented data. A
version's id in the URL is checked by webforms/access.py (the user's own office only).
"""
from __future__ import annotations

import io
import json

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import RequestEntityTooLarge

from docgen.custom.definition import DefinitionRejected, parse_definition
from docgen.custom.shipped import shipped_definition
from docgen.definition import Repeat
from docgen.doctypes import DOCTYPES
from docgen.pdf import PdfError
from docgen.store import audit
from docgen.store import office_types as store
from docgen.store.models import ROLE_ADMIN, ROLE_HEAD
from docgen.templates import MAX_TEMPLATE_BYTES, TemplateRejected

from .. import db
from ..audit import log
from ..pdf import pdf_pool
from ..wizard import step_form
from . import type_editor

bp = Blueprint("office_types", __name__, url_prefix="/typy-dokumentow")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OBJECT_TYPE = "office_type"
UPLOAD_LIMIT = MAX_TEMPLATE_BYTES + 2 ** 20
MAX_MB = MAX_TEMPLATE_BYTES // 2 ** 20
NO_LIBREOFFICE = ("Podglądu stron nie ma, bo na serwerze nie zainstalowano LibreOffice. Pobierz próbny dokument "
                  "(.docx) i obejrzyj go w Wordzie przed opublikowaniem typu.")


@bp.before_request
def _admins_and_heads():
    if not current_user.is_authenticated or current_user.role not in (ROLE_ADMIN, ROLE_HEAD):
        abort(404)
    if request.endpoint in ("office_types.create", "office_types.new_template") \
            and request.method == "POST":
        request.max_content_length = UPLOAD_LIMIT


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    flash(f"Plik jest za duży: szablon może mieć najwyżej {MAX_MB} MB.", "error")
    return redirect(url_for("office_types.index"))


def _session():
    return db.session()


def _type_or_404(typ: str) -> None:
    if typ in DOCTYPES:
        abort(404)
    if not store.is_shipped(typ) and not store.versions_of(_session(), current_user.office_id, typ):
        abort(404)


def _start_points() -> list[tuple[str, str]]:
    """(value, label) of the types a new one may start from: built-in, shipped, the office's own."""
    options = [(f"wbudowany:{type_id}", f"{doctype.title} (typ wbudowany)") for type_id, doctype in DOCTYPES.items()]
    for summary in store.office_types(_session(), current_user.office_id):
        options.append((f"typ:{summary.type_id}", f"{summary.title} ({'dostarczony z programem' if summary.shipped else 'typ ośrodka'})"))
    return options


def _start_definition(value: str) -> tuple[dict | None, str]:
    kind, _, type_id = value.partition(":")
    if kind == "wbudowany" and type_id in DOCTYPES:
        return store.export_definition(DOCTYPES[type_id]), f"typ wbudowany „{DOCTYPES[type_id].title}”"
    if kind == "typ":
        current = store.current_version(_session(), current_user.office_id, type_id)
        if current is not None:
            return current.definition, f"typ „{current.title}” {current.label}"
        if store.is_shipped(type_id):
            return shipped_definition(type_id), "typ dostarczony z programem"
        versions = store.versions_of(_session(), current_user.office_id, type_id)
        if versions:
            return versions[0].definition, f"typ „{versions[0].title}” {versions[0].label}"
    return None, ""


# --- the list ------------------------------------------------------------------------------

@bp.get("/")
def index():
    return render_template("office_types/index.html", summaries=store.office_types(_session(), current_user.office_id),
                           builtins=DOCTYPES, start_points=_start_points(), max_mb=MAX_MB, problems=None)


def _read_upload(name: str) -> tuple[bytes | None, str]:
    upload = request.files.get(name)
    if upload is None or not upload.filename:
        return None, ""
    return upload.stream.read(MAX_TEMPLATE_BYTES + 1), upload.filename


def _refused(problems, message: str, status: int = 200):
    flash(message, "error")
    return render_template("office_types/index.html", summaries=store.office_types(_session(), current_user.office_id),
                           builtins=DOCTYPES, start_points=_start_points(), max_mb=MAX_MB, problems=problems,
                           typed_title=request.form.get("title", "")), status


@bp.post("/nowy")
def create():
    """A new type: the template's placeholders drafted into a definition, stored as draft version 1."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    data, filename = _read_upload("template")
    if data is None:
        return _refused([], "Wybierz plik szablonu Word (.docx) z polami do wypełnienia.")
    start_from, based_on = (None, "szablon Word")
    definition_file, _ = _read_upload("definition")
    if definition_file:
        try:
            start_from, based_on = parse_definition(definition_file), "szablon Word i wgrana definicja"
        except DefinitionRejected as refused:
            return _refused(refused.problems, "Plik definicji (JSON) nie dał się odczytać – nic nie zapisano.")
    elif request.form.get("start_from"):
        start_from, based_on = _start_definition(request.form["start_from"])
        based_on = f"szablon Word, zaczęty od: {based_on}" if start_from else "szablon Word"
    session = _session()
    session.commit()  # end the request's reading transaction: the store takes the office's write lock first
    try:
        version = store.start_type(session, current_user.office, data, filename, current_user,
                                   title=request.form.get("title", ""), start_from=start_from, based_on=based_on)
    except store.TypeRejected as refused:
        session.rollback()
        return _refused(refused.problems, "Z tego szablonu nie da się utworzyć typu dokumentu – nic nie zapisano. "
                                          "Popraw w Wordzie miejsca wymienione poniżej i wgraj go ponownie.")
    log(audit.CREATE, object_type=OBJECT_TYPE, object_id=version.id, detail=f"{version.type_id} {version.label}")
    session.commit()
    flash(f"Szablon „{version.filename}” przeczytany: program zaproponował definicję typu „{version.title}”. "
          "Sprawdź i popraw etykiety, rodzaje pól i kroki, obejrzyj kreator i dopiero wtedy opublikuj.", "success")
    return redirect(url_for("office_types.version", type_version_id=version.id))


# --- one type ------------------------------------------------------------------------------

@bp.get("/typ/<typ>")
def type_page(typ: str):
    _type_or_404(typ)
    session = _session()
    summary = next(s for s in store.office_types(session, current_user.office_id) if s.type_id == typ)
    return render_template("office_types/type.html", summary=summary,
                           versions=store.versions_of(session, current_user.office_id, typ), max_mb=MAX_MB)


@bp.post("/typ/<typ>/edytuj")
def edit(typ: str):
    """A draft to change the type: a copy of the version in use (or of the shipped type)."""
    _type_or_404(typ)
    if not FlaskForm().validate_on_submit():
        abort(400)
    session = _session()
    session.commit()
    try:
        version = store.copy_to_draft(session, current_user.office, typ, current_user)
    except store.TypeUnavailable as missing:
        session.rollback()
        flash(str(missing), "error")
        return redirect(url_for("office_types.type_page", typ=typ))
    log(audit.CREATE, object_type=OBJECT_TYPE, object_id=version.id, detail=f"{typ} {version.label}")
    session.commit()
    return redirect(url_for("office_types.version", type_version_id=version.id))


@bp.post("/typ/<typ>/szablon")
def new_template(typ: str):
    """A new draft of the type from a new template; what the type already says of its names stays."""
    _type_or_404(typ)
    if not FlaskForm().validate_on_submit():
        abort(400)
    data, filename = _read_upload("template")
    if data is None:
        flash("Wybierz plik szablonu Word (.docx).", "error")
        return redirect(url_for("office_types.type_page", typ=typ))
    session = _session()
    summary = next(s for s in store.office_types(session, current_user.office_id) if s.type_id == typ)
    session.commit()
    try:
        version = store.start_type(session, current_user.office, data, filename, current_user, title=summary.title,
                                   type_id=typ, based_on="nowy szablon Word")
    except store.TypeRejected as refused:
        session.rollback()
        for problem in refused.problems:
            flash(str(problem), "error")
        return redirect(url_for("office_types.type_page", typ=typ))
    log(audit.CREATE, object_type=OBJECT_TYPE, object_id=version.id, detail=f"{typ} {version.label}")
    session.commit()
    return redirect(url_for("office_types.version", type_version_id=version.id))


def _change(typ: str, action, message: str):
    _type_or_404(typ)
    if not FlaskForm().validate_on_submit():
        abort(400)
    session = _session()
    session.commit()
    action(session)
    log(audit.UPDATE, object_type=OBJECT_TYPE, detail=f"{typ}: {message}")
    session.commit()
    flash(message[:1].upper() + message[1:] + ".", "success")
    return redirect(url_for("office_types.type_page", typ=typ))


@bp.post("/typ/<typ>/wycofaj")
def withdraw(typ: str):
    return _change(typ, lambda s: store.withdraw(s, current_user.office_id, typ, current_user),
                   "typ nie jest już proponowany w „Nowy dokument”; dokumenty utworzone wcześniej działają dalej")


@bp.post("/typ/<typ>/przywroc")
def restore(typ: str):
    return _change(typ, lambda s: store.withdraw(s, current_user.office_id, typ, current_user, withdrawn=False),
                   "typ znów jest proponowany w „Nowy dokument”")


@bp.post("/typ/<typ>/dostarczony")
def use_shipped(typ: str):
    if not store.is_shipped(typ):
        abort(404)
    return _change(typ, lambda s: store.use_version(s, current_user.office_id, typ, None, current_user),
                   "nowe dokumenty powstają według wersji dostarczonej z programem")


@bp.get("/typ/<typ>/definicja.json")
def export(typ: str):
    """Any type as a definition file: the built-in ones, the shipped ones, the office's own in use."""
    if typ in DOCTYPES:
        doctype = DOCTYPES[typ]
    else:
        _type_or_404(typ)
        doctype = store.types_for_office(_session(), current_user.office_id).get(typ)
        if doctype is None:
            versions = store.versions_of(_session(), current_user.office_id, typ)
            doctype = store.version_doctype(versions[0]) if versions else None
        if doctype is None:
            abort(404)
    body = json.dumps(store.export_definition(doctype), ensure_ascii=False, indent=2)
    return send_file(io.BytesIO(body.encode("utf-8")), as_attachment=True, mimetype="application/json",
                     download_name=f"typ_{typ}.json")


# --- one version ---------------------------------------------------------------------------

def _version_page(version, definition=None, problems=None, notes=(), status=200):
    definition = definition if definition is not None else version.definition
    session = _session()
    current = store.current_version(session, current_user.office_id, version.type_id)
    return render_template("office_types/version.html", version=version, model=type_editor.view(definition),
                           problems=problems, notes=notes, kinds=type_editor.KIND_LABELS,
                           editable_kinds=type_editor.EDITABLE_KINDS, required_labels=type_editor.REQUIRED_LABELS,
                           filings=type_editor.FILINGS, filing=type_editor.filing_of(definition),
                           in_use=current is not None and current.id == version.id), status


@bp.get("/wersje/<int:type_version_id>")
def version(type_version_id: int):
    version = g.type_version
    problems = store.version_problems(version) if not version.published else None
    return _version_page(version, problems=problems)


@bp.post("/wersje/<int:type_version_id>")
def save(type_version_id: int):
    version = g.type_version
    if not FlaskForm().validate_on_submit():
        abort(400)
    if version.published:
        flash("Opublikowanej wersji nie zmienia się: kliknij „Zmień typ”, a powstanie nowa wersja do poprawienia.",
              "error")
        return redirect(url_for("office_types.version", type_version_id=version.id))
    definition, notes = type_editor.read(version.definition, request.form)
    session = _session()
    try:
        store.save_draft(session, version, definition)
    except store.TypeRejected as refused:
        session.rollback()
        return _version_page(version, definition=definition, problems=refused.problems, notes=notes, status=422)
    log(audit.UPDATE, object_type=OBJECT_TYPE, object_id=version.id, detail=f"{version.type_id} {version.label}")
    session.commit()
    for note in notes:
        flash(note, "success")
    flash("Zapisano definicję typu.", "success")
    after = request.form.get("after", "")
    if after == "kreator":
        return redirect(url_for("office_types.wizard", type_version_id=version.id))
    if after == "podglad":
        return redirect(url_for("office_types.preview", type_version_id=version.id))
    return redirect(url_for("office_types.version", type_version_id=version.id))


@bp.post("/wersje/<int:type_version_id>/opublikuj")
def publish(type_version_id: int):
    version = g.type_version
    if not FlaskForm().validate_on_submit():
        abort(400)
    session = _session()
    session.commit()
    try:
        store.publish(session, version, current_user)
    except store.TypeRejected as refused:
        session.rollback()
        return _version_page(version, problems=refused.problems, status=422)
    log(audit.UPDATE, object_type=OBJECT_TYPE, object_id=version.id, detail=f"{version.type_id} {version.label} "
                                                                              "opublikowana")
    session.commit()
    flash(f"Opublikowano typ „{version.title}” ({version.label}): asystenci widzą go w „Nowy dokument”. Dokumenty "
          "rozpoczęte według wcześniejszej wersji zostają przy niej, dopóki asystent ich nie przeniesie.", "success")
    return redirect(url_for("office_types.type_page", typ=version.type_id))


@bp.post("/wersje/<int:type_version_id>/uzyj")
def use(type_version_id: int):
    version = g.type_version
    return _change(version.type_id,
                   lambda s: store.use_version(s, current_user.office_id, version.type_id, version, current_user),
                   f"nowe dokumenty powstają według wersji {version.label}")


@bp.post("/wersje/<int:type_version_id>/usun")
def delete(type_version_id: int):
    version = g.type_version
    if not FlaskForm().validate_on_submit():
        abort(400)
    typ, label = version.type_id, version.label
    session = _session()
    try:
        store.delete_draft(session, version)
    except ValueError as refusal:
        session.rollback()
        flash(str(refusal), "error")
        return redirect(url_for("office_types.version", type_version_id=type_version_id))
    log(audit.DELETE, object_type=OBJECT_TYPE, object_id=type_version_id, detail=f"{typ} {label}")
    session.commit()
    flash(f"Usunięto szkic {label}.", "success")
    if store.is_shipped(typ) or store.versions_of(session, current_user.office_id, typ):
        return redirect(url_for("office_types.type_page", typ=typ))
    return redirect(url_for("office_types.index"))


@bp.get("/wersje/<int:type_version_id>/kreator", defaults={"step": ""})
@bp.get("/wersje/<int:type_version_id>/kreator/<step>")
def wizard(type_version_id: int, step: str):
    """The wizard as an assistant will see it, filled with the type's invented example; nothing is saved."""
    version = g.type_version
    try:
        doctype = store.version_doctype(version)
    except store.TypeRejected as refused:
        return _version_page(version, problems=refused.problems, status=422)
    section = next((s for s in doctype.sections if s.name == step), doctype.sections[0])
    example = doctype.example()
    form = step_form(section, example)
    groups = {item.name: item for item in section.items if isinstance(item, Repeat)}
    return render_template("office_types/wizard.html", version=version, doctype=doctype, section=section,
                           index=doctype.sections.index(section), form=form, groups=groups)


@bp.get("/wersje/<int:type_version_id>/podglad")
def preview(type_version_id: int):
    version = g.type_version
    pages, problems = 0, []
    pool = pdf_pool()
    try:
        if pool is None:
            store.preview_document(current_user.office, version)
            problems = [NO_LIBREOFFICE]
        else:
            pages = len(store.preview_pages(current_user.office, version, pool))
    except (TemplateRejected, store.TypeRejected) as refused:
        problems = [str(problem) for problem in refused.problems]
    except (store.TypeUnavailable, PdfError) as failure:
        problems = [str(failure)]
    return render_template("office_types/preview.html", version=version, pages=pages, problems=problems)


@bp.get("/wersje/<int:type_version_id>/podglad/<int:page>.png")
def preview_image(type_version_id: int, page: int):
    image = store.preview_image(current_user.office, g.type_version, page)
    if not image.is_file():
        abort(404)
    return send_file(image, mimetype="image/png")


@bp.get("/wersje/<int:type_version_id>/przyklad.docx")
def example(type_version_id: int):
    version = g.type_version
    try:
        path = store.preview_document(current_user.office, version)
    except (TemplateRejected, store.TypeRejected, store.TypeUnavailable) as failure:
        flash(str(failure), "error")
        return redirect(url_for("office_types.version", type_version_id=version.id))
    return send_file(path, as_attachment=True, mimetype=DOCX, download_name=f"przyklad_{version.type_id}_{version.label}.docx")


@bp.get("/wersje/<int:type_version_id>/szablon.docx")
def template(type_version_id: int):
    version = g.type_version
    try:
        data = store.template_bytes(version)
    except store.TypeUnavailable as failure:
        flash(str(failure), "error")
        return redirect(url_for("office_types.version", type_version_id=version.id))
    return send_file(io.BytesIO(data), as_attachment=True, mimetype=DOCX, download_name=version.filename)


@bp.get("/wersje/<int:type_version_id>/definicja.json")
def version_definition(type_version_id: int):
    version = g.type_version
    body = json.dumps(version.definition, ensure_ascii=False, indent=2)
    return send_file(io.BytesIO(body.encode("utf-8")), as_attachment=True, mimetype="application/json",
                     download_name=f"typ_{version.type_id}_{version.label}.json")
