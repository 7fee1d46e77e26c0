"""A family member's own letter and CV: they take no office number and leave the office under a
neutral name; a letter still holding its wording's "[…]" gaps or "(np. …)" hints waits for the
assistant's confirmation; the validator finds a letter without its signature and a CV without its
consent clause.

Storage tests run on SQLite and PostgreSQL (`db_session`, tests/conftest.py).
"""
from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import docx
import pytest
from sqlalchemy import func, select

from docgen.cli import main
from docgen.doctypes import get_doctype
from docgen.doctypes.letter import LETTER, LETTER_KINDS
from docgen.store.documents import confirm_warnings, create_document, file_path, generate
from docgen.store.models import CaseCounter, CaseFile, Document, Family, GeneratedFile
from docgen.store.printjobs import printable_documents
from docgen.validate import DataInvalid

from test_store import make_family, make_office, make_user

DAY = dt.date(2026, 11, 23)


def text_of(content: bytes | Path) -> str:
    source = io.BytesIO(content) if isinstance(content, bytes) else str(content)
    document = docx.Document(source)
    lines = [p.text for p in document.paragraphs]
    lines += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(lines)


def family_document(session, family, doc_type, user, **changes):
    document = create_document(session, family, doc_type, user)
    document.data = {**get_doctype(doc_type).example(), **changes}
    return document


# --- no office number, a neutral name -----------------------------------------------------------

def test_letters_and_cvs_take_no_number_and_are_named_after_their_person_only(db_session, output_dir):
    office = make_office(db_session)
    user = make_user(db_session, office)
    family = make_family(db_session, office, user)
    letter = family_document(db_session, family, "letter", user, sender_name="Łucja Żak-Wiśniewska")
    cv = family_document(db_session, family, "cv", user)
    db_session.commit()

    records = [generate(db_session, letter, user, today=DAY), generate(db_session, cv, user, today=DAY),
               generate(db_session, cv, user, today=DAY)]
    db_session.commit()

    assert letter.case_number is None and cv.case_number is None
    assert letter.case_file_id is None and cv.case_file_id is None
    assert db_session.scalar(select(func.count()).select_from(CaseFile)) == 0
    assert db_session.scalar(select(func.count()).select_from(CaseCounter)) == 0
    assert [record.filename for record in records] == [
        "Pismo_Lucja_Zak-Wisniewska.docx", "CV_Anna_Zawadzka.docx", "CV_Anna_Zawadzka.docx"]
    # neither the family nor an office number anywhere in what leaves the office
    for record in records:
        assert "Zawadzcy" not in record.filename and "GOPS" not in record.filename
        assert "GOPS" not in text_of(file_path(record)) and "Znak sprawy" not in text_of(file_path(record))
    # two versions of one CV: one name to download, two files on disk
    assert records[1].storage_path != records[2].storage_path
    assert file_path(records[1]).is_file() and file_path(records[2]).is_file()

    # the print office lists them by title and family, with no number to show
    names = [part.name for part in printable_documents(db_session, select(Family).where(Family.id == family.id))]
    assert sorted(names) == ["Pismo (wniosek, podanie, odwołanie) – rodzina Zawadzcy",
                             "Życiorys zawodowy (CV) – rodzina Zawadzcy"]

    # the family's case still begins with its first office document, at number 1
    visit = family_document(db_session, family, "visit_record", user)
    record = generate(db_session, visit, user, today=DAY)
    assert visit.case_number == "GOPS.AR.4101.1.2026"
    assert record.filename == "karta_wizyty_Zawadzcy_GOPS.AR.4101.1.2026_2026-11-16_v1.docx"  # internal: may say so


def test_a_cv_downloads_under_its_neutral_name(login, session):
    client = login("asystent1")
    family = session.scalars(select(Family).where(Family.family_name == "Krajewscy")).one()
    response = client.post(f"/rodziny/{family.id}/dokumenty", data={"doc_type": "cv"})
    document_id = int(re.search(r"/dokumenty/(\d+)", response.location).group(1))
    document = session.get(Document, document_id)
    document.data = {**get_doctype("cv").example(), "full_name": "Anna Zawadzka"}
    session.commit()

    assert client.post(f"/dokumenty/{document_id}/generuj").status_code == 302
    record = session.scalars(select(GeneratedFile).where(GeneratedFile.document_id == document_id)).one()
    download = client.get(f"/pliki/{record.id}")
    assert download.status_code == 200
    assert 'filename=CV_Anna_Zawadzka.docx' in download.headers["Content-Disposition"]
    session.expire_all()
    assert session.get(Document, document_id).case_number is None
    page = client.get(f"/dokumenty/{document_id}").text
    assert "Znak sprawy" not in page


# --- the ready-made wording's gaps -----------------------------------------------------------------

def test_a_letter_with_gaps_waits_for_their_confirmation_and_prints_them_as_they_are(db_session, output_dir):
    office = make_office(db_session)
    user = make_user(db_session, office)
    family = make_family(db_session, office, user)
    _, title, body = LETTER_KINDS["lokal_socjalny"]
    letter = family_document(db_session, family, "letter", user, kind="lokal_socjalny", title=title,
                             body=body.replace("Gminy […]", "Gminy Lipowiec Mazurski"))
    db_session.commit()

    with pytest.raises(DataInvalid) as refused:
        generate(db_session, letter, user, today=DAY)
    db_session.rollback()
    [issue] = refused.value.issues
    assert issue.warning and issue.path == "body"
    # the refusal names the gaps where the assistant finds them, the hint too
    assert issue.message.startswith("Treść: 5 miejsc ze wzoru pisma do uzupełnienia – „…i mojej rodziny ([…] osób).”; "
                                    "„…zamieszkujemy pod adresem […]. Warunki mieszkaniowe…”; ")
    assert "Uzupełnij je albo potwierdź" in issue.message
    assert letter.version == 0 and not any(output_dir.rglob("*.docx"))

    assert confirm_warnings(letter, [issue.key]) == []
    db_session.commit()
    record = generate(db_session, letter, user, today=DAY)
    db_session.commit()
    printed = text_of(file_path(record))
    assert "dla mnie i mojej rodziny ([…] osób)." in printed
    assert "Warunki mieszkaniowe są bardzo trudne: […] (np. powierzchnia i stan techniczny lokalu, liczba osób w " \
           "jednym pokoju, wyrok eksmisyjny)." in printed

    # filling one more gap changes what the warning says: it must be confirmed again
    letter.data = {**letter.data, "body": letter.data["body"].replace("([…] osób)", "(4 osób)")}
    db_session.commit()
    with pytest.raises(DataInvalid) as again:
        generate(db_session, letter, user, today=DAY)
    db_session.rollback()
    assert again.value.issues[0].message.startswith("Treść: 4 miejsca ze wzoru pisma do uzupełnienia – „…zamieszkujemy")


def test_a_filled_letter_and_a_typed_ellipsis_raise_no_warning():
    from docgen.validate import validate

    assert validate(LETTER, LETTER.example()) == []
    typed = {**LETTER.example(), "body": "Proszę o pomoc (np. w formie zasiłku celowego) – cytuję: „[…] do dnia 30.11.”"}
    [issue] = validate(LETTER, typed)
    # a hint of one's own is not the wording's; a "[…]" is flagged wherever it stands: it is a gap in a letter
    assert issue.message.startswith("Treść: 1 miejsce ze wzoru pisma do uzupełnienia – „…celowego) – cytuję: „[…] "
                                    "do dnia…”.")


@pytest.fixture
def demo_cli(tmp_path, monkeypatch, instance_dir, output_dir, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert main(["demo", "--password", "hasło-testowe-cli"]) == 0
    capsys.readouterr()
    return tmp_path


def test_cli_names_the_gap_and_renders_it_verbatim_once_accepted(demo_cli, capsys):
    _, title, body = LETTER_KINDS["pismo_ogolne"]
    source = demo_cli / "pismo.json"
    source.write_text(json.dumps({**LETTER.example(), "kind": "pismo_ogolne", "title": title, "body": body},
                                 ensure_ascii=False), encoding="utf-8")
    target = demo_cli / "pismo.docx"

    assert main(["render", "letter", str(source), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "title: ostrzeżenie: Tytuł pisma: 1 miejsce ze wzoru pisma do uzupełnienia – „Pismo w sprawie […]”." in err
    assert "body: ostrzeżenie: Treść: 2 miejsca ze wzoru pisma do uzupełnienia – „…uprzejmą prośbą o […].”; " \
           "„Uzasadnienie: […]”." in err
    assert "--accept-warnings" in err and not target.exists()

    assert main(["render", "letter", str(source), "-o", str(target), "--accept-warnings"]) == 0
    printed = text_of(target)
    assert "Pismo w sprawie […]" in printed and "Zwracam się z uprzejmą prośbą o […]." in printed


# --- the validator: a letter's signature, a CV's consent clause --------------------------------------

def _rendered(folder: Path, capsys, type_id: str, **changes) -> Path:
    source = folder / f"{type_id}.json"
    source.write_text(json.dumps({**get_doctype(type_id).example(), **changes}, ensure_ascii=False), encoding="utf-8")
    target = folder / f"{type_id}.docx"
    assert main(["render", type_id, str(source), "-o", str(target)]) == 0
    capsys.readouterr()
    return target


def _without(source: Path, target: Path, drop) -> None:
    """A copy of the .docx without the body paragraphs `drop(index, text, texts)` picks."""
    document = docx.Document(str(source))
    paragraphs = document.paragraphs
    texts = [p.text for p in paragraphs]
    for index, paragraph in enumerate(paragraphs):
        if drop(index, paragraph.text, texts):
            paragraph._p.getparent().remove(paragraph._p)
    document.save(str(target))


def _validate(capsys, path: Path, type_id: str) -> tuple[int, str]:
    code = main(["validate", str(path), "--type", type_id])
    return code, capsys.readouterr().out


def _signature_of(caption: str):
    """The dotted line, the name and the caption `caption` of one signature block."""
    def drop(index, text, texts):
        caption_at = texts.index(f"({caption})")
        return caption_at - 2 <= index <= caption_at
    return drop


def test_validate_a_letter_without_its_signature(demo_cli, capsys):
    rendered = _rendered(demo_cli, capsys, "letter")
    assert _validate(capsys, rendered, "letter") == (0, "Dokument kompletny.\n")

    unsigned = demo_cli / "bez-podpisu.docx"
    _without(rendered, unsigned, _signature_of("podpis nadawcy"))
    assert "(podpis nadawcy)" not in text_of(unsigned) and "(podpis osoby udzielającej upoważnienia)" in text_of(unsigned)
    code, out = _validate(capsys, unsigned, "letter")
    assert code == 1
    assert "Brak podpisu nadawcy pod pismem" in out and "upoważnieniem" not in out

    unsigned_authorisation = demo_cli / "upowaznienie-bez-podpisu.docx"
    _without(rendered, unsigned_authorisation, _signature_of("podpis osoby udzielającej upoważnienia"))
    code, out = _validate(capsys, unsigned_authorisation, "letter")
    assert code == 1 and "Brak podpisu pod upoważnieniem" in out and "pod pismem" not in out

    # a letter filed by the family member alone has one page and one signature
    alone = _rendered(demo_cli, capsys, "letter", on_behalf=False)
    assert _validate(capsys, alone, "letter")[0] == 0
    _without(alone, unsigned, lambda index, text, texts: set(text) == {"."})
    code, out = _validate(capsys, unsigned, "letter")
    assert code == 1 and "Brak podpisu nadawcy pod pismem" in out


def test_validate_a_cv_without_its_consent_clause(demo_cli, capsys):
    rendered = _rendered(demo_cli, capsys, "cv")
    assert _validate(capsys, rendered, "cv") == (0, "Dokument kompletny.\n")
    without = demo_cli / "cv-bez-zgody.docx"
    _without(rendered, without, lambda index, text, texts: text.startswith("Wyrażam zgodę"))
    assert "Wyrażam zgodę" not in text_of(without) and "Anna Zawadzka" in text_of(without)
    code, out = _validate(capsys, without, "cv")
    assert code == 1
    assert "Brak klauzuli zgody na przetwarzanie danych osobowych" in out


def test_an_office_letter_template_without_the_signature_is_refused():
    from docgen.render import template_path
    from docgen.templates import check_template

    document = docx.Document(str(template_path(LETTER)))
    paragraphs = document.paragraphs
    dots = next(index for index, p in enumerate(paragraphs) if set(p.text) == {"."})
    assert paragraphs[dots + 2].text == "{{ signature_caption }}"
    for paragraph in paragraphs[dots:dots + 3]:  # the letter's own signature; the authorisation's stays
        paragraph._p.getparent().remove(paragraph._p)
    out = io.BytesIO()
    document.save(out)
    assert [problem.message for problem in check_template(out.getvalue(), LETTER)] == [
        "Dokument wypełniony przykładowymi danymi nie przejdzie sprawdzenia: Brak podpisu nadawcy pod pismem: linii "
        "do podpisu (kropki), pod nią imienia i nazwiska i opisu „(podpis …)”."]
    assert check_template(template_path(LETTER).read_bytes(), LETTER) == []
