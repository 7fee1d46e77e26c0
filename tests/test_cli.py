"""The `docgen` command, called in-process (main([...])) on a temp SQLite database, plus one
run of the installed console script and a check that the engine never imports Flask."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import jsonschema
import pytest

from docgen.cli import main
from docgen.doctypes import DOCTYPES, get_doctype
from docgen.validate import validate

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cli_db(tmp_path, monkeypatch, instance_dir, output_dir):
    """DATABASE_URL -> a temp SQLite file that does not exist yet."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def demo_db(cli_db, capsys):
    assert main(["demo", "--password", "hasło-testowe-cli"]) == 0
    capsys.readouterr()
    return cli_db


@pytest.fixture
def example_json(tmp_path):
    path = tmp_path / "work_plan.json"
    path.write_text(json.dumps(get_doctype("work_plan").example(), ensure_ascii=False), encoding="utf-8")
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def document_xml(path: Path) -> str:
    """All text-bearing parts of a .docx (body, headers, footers) as one string."""
    with zipfile.ZipFile(path) as archive:
        return "".join(archive.read(name).decode("utf-8") for name in archive.namelist()
                       if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name))


# --- types, schema, example -------------------------------------------------------------

def test_types(capsys):
    code, out, _ = run(capsys, "types")
    assert code == 0
    assert "work_plan\tPlan pracy z rodziną" in out.splitlines()
    # the built-in types, then the four shipped as data (docgen/custom/shipped), without a database
    assert len(out.splitlines()) == len(DOCTYPES) + 4
    assert "notatka_sluzbowa\tNotatka służbowa" in out.splitlines()


def test_types_json(capsys):
    code, out, _ = run(capsys, "types", "--json")
    assert code == 0
    assert {"id": "work_plan", "title": "Plan pracy z rodziną"} in json.loads(out)


def test_schema_is_valid_and_accepts_the_example(capsys):
    code, out, _ = run(capsys, "schema", "work_plan")
    assert code == 0
    assert "Członkowie rodziny" in out  # Polish kept as is, not \u-escaped
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(get_doctype("work_plan").example())


def test_example_passes_validation(capsys):
    code, out, _ = run(capsys, "example", "work_plan")
    assert code == 0
    assert validate(get_doctype("work_plan"), json.loads(out)) == []


@pytest.mark.parametrize("type_id", DOCTYPES)
def test_every_type_goes_example_schema_render_validate_through_the_cli(capsys, demo_db, tmp_path, type_id):
    code, example, _ = run(capsys, "example", type_id)
    assert code == 0
    code, schema, _ = run(capsys, "schema", type_id)
    jsonschema.Draft202012Validator(json.loads(schema)).validate(json.loads(example))
    data = tmp_path / f"{type_id}.json"
    data.write_text(example, encoding="utf-8")
    target = tmp_path / f"{type_id}.docx"
    code, out, err = run(capsys, "render", type_id, str(data), "-o", str(target))
    assert code == 0, err
    code, out, _ = run(capsys, "validate", str(target), "--type", type_id)
    assert code == 0 and "Dokument kompletny." in out


@pytest.mark.parametrize("command", [["schema", "nie_ma"], ["example", "nie_ma"],
                                     ["render", "nie_ma", "x.json", "-o", "x.docx"],
                                     ["validate", "x.docx", "--type", "nie_ma"]])
def test_unknown_type_lists_the_known_ones(capsys, command):
    code, out, err = run(capsys, *command)
    assert code == 2 and out == ""
    assert "Nieznany typ dokumentu 'nie_ma'" in err and "work_plan" in err


def test_usage_errors_are_polish(capsys):
    code, _, err = run(capsys, "render", "work_plan")
    assert code == 2
    assert "błąd: brakuje wymaganych argumentów" in err


# --- render -----------------------------------------------------------------------------

def test_render_the_example(capsys, demo_db, example_json, tmp_path):
    target = tmp_path / "plan.docx"
    code, out, err = run(capsys, "render", "work_plan", str(example_json), "-o", str(target))
    assert code == 0, err
    assert "MOPS.AR.4101.1." in out
    document = docx.Document(str(target))
    assert any("Zawadzcy" in paragraph.text for paragraph in document.paragraphs)
    xml = document_xml(target)
    assert "MOPS.AR.4101.1." in xml and "Miejski Ośrodek Pomocy Społecznej w Lipowcu Mazurskim" in xml
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    umask = os.umask(0o022)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600

    # the next document gets the next number
    code, out, _ = run(capsys, "render", "work_plan", str(example_json), "-o", str(tmp_path / "plan2.docx"))
    assert code == 0 and "MOPS.AR.4101.2." in out


def test_render_invalid_data_writes_nothing_and_spends_no_number(capsys, demo_db, tmp_path, example_json):
    data = get_doctype("work_plan").example()
    data["family_name"] = ""
    data["actions"][1]["deadline"] = "31.01.2027"
    data["members"][0]["pesel"] = "91031441224"
    del data["main_goal"]
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    target = tmp_path / "bad.docx"

    code, out, err = run(capsys, "render", "work_plan", str(source), "-o", str(target))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    problems = [line for line in lines if re.match(r"^[\w$]+(\[\d+\])?(\.\w+)?: ", line)]
    paths = [line.split(":", 1)[0] for line in problems]
    assert set(paths) == {"family_name", "actions[1].deadline", "members[0].pesel", "main_goal"}, err
    assert len(problems) == len(lines) == 4  # one line per error, nothing else
    assert not target.exists()
    assert list(tmp_path.glob("*.docx")) == []

    # no case number was spent on the failed attempt
    code, out, _ = run(capsys, "render", "work_plan", str(example_json), "-o", str(tmp_path / "ok.docx"))
    assert code == 0 and "MOPS.AR.4101.1." in out


def test_render_invalid_json(capsys, demo_db, tmp_path):
    source = tmp_path / "broken.json"
    source.write_text('{"family_name": "Zawadzcy",', encoding="utf-8")
    code, _, err = run(capsys, "render", "work_plan", str(source), "-o", str(tmp_path / "x.docx"))
    assert code == 2
    assert "nieprawidłowy JSON" in err and "wiersz 1" in err
    assert not (tmp_path / "x.docx").exists()


def test_render_without_an_office_says_to_load_the_demo(capsys, cli_db, example_json, tmp_path):
    code, _, err = run(capsys, "render", "work_plan", str(example_json), "-o", str(tmp_path / "x.docx"))
    assert code == 2 and "docgen demo" in err
    assert main(["init"]) == 0  # tables, but still no office
    code, _, err = run(capsys, "render", "work_plan", str(example_json), "-o", str(tmp_path / "x.docx"))
    assert code == 2 and "docgen demo" in err
    assert not (tmp_path / "x.docx").exists()


def test_render_unknown_office(capsys, demo_db, example_json, tmp_path):
    code, _, err = run(capsys, "render", "work_plan", str(example_json), "-o", str(tmp_path / "x.docx"),
                       "--office", "999")
    assert code == 2
    assert "999" in err and "Lipowcu Mazurskim" in err


def test_render_with_a_given_template(capsys, demo_db, example_json, tmp_path):
    from docgen.templates.engine import template_path

    template = tmp_path / "mój szablon.docx"
    shutil.copy(template_path(get_doctype("work_plan")), template)
    code, _, err = run(capsys, "render", "work_plan", str(example_json), "-o", str(tmp_path / "x.docx"),
                       "--template", str(template), "--office", "1")
    assert code == 0, err
    code, _, err = run(capsys, "render", "work_plan", str(example_json), "-o", str(tmp_path / "y.docx"),
                       "--template", str(tmp_path / "nie-ma.docx"))
    assert code == 2 and "Nie ma szablonu" in err


def test_render_failure_after_numbering_rolls_the_number_back(capsys, demo_db, example_json, tmp_path):
    not_a_template = tmp_path / "zepsuty.docx"
    not_a_template.write_text("to nie jest docx", encoding="utf-8")
    target = tmp_path / "x.docx"
    code, _, err = run(capsys, "render", "work_plan", str(example_json), "-o", str(target),
                       "--template", str(not_a_template))
    assert code == 2 and "nie jest plik .docx" in err
    assert not target.exists() and list(tmp_path.glob(".x.docx.*")) == []
    code, out, _ = run(capsys, "render", "work_plan", str(example_json), "-o", str(target))
    assert code == 0 and "MOPS.AR.4101.1." in out


# --- validate a .docx -------------------------------------------------------------------

def remove_section(source: Path, target: Path, title: str) -> None:
    """Copy of a .docx without the heading `title` and everything up to the next heading."""
    document = docx.Document(str(source))
    body = document.element.body
    removing = False
    for element in list(body.iterchildren()):
        if element.tag.endswith("}p"):
            paragraph = docx.text.paragraph.Paragraph(element, document)
            if paragraph.style.name.startswith("Heading"):
                removing = paragraph.text.strip().endswith(title)
        if removing:
            body.remove(element)
    document.save(str(target))
    assert title not in "\n".join(p.text for p in docx.Document(str(target)).paragraphs)


def test_validate_rendered_and_mutilated_document(capsys, demo_db, example_json, tmp_path):
    rendered = tmp_path / "plan.docx"
    assert main(["render", "work_plan", str(example_json), "-o", str(rendered)]) == 0
    capsys.readouterr()

    code, out, _ = run(capsys, "validate", str(rendered), "--type", "work_plan")
    assert code == 0 and "Dokument kompletny." in out

    broken = tmp_path / "plan-bez-dzialan.docx"
    remove_section(rendered, broken, "Działania")
    code, out, _ = run(capsys, "validate", str(broken), "--type", "work_plan")
    assert code == 1
    assert "Dokument kompletny." not in out and "Działania" in out


def test_validate_missing_file(capsys):
    code, _, err = run(capsys, "validate", "nie-ma-takiego.docx", "--type", "work_plan")
    assert code == 2 and "nie ma takiego pliku" in err


# --- database and demo ------------------------------------------------------------------

def test_init_creates_the_database(capsys, cli_db, tmp_path):
    code, out, _ = run(capsys, "init")
    assert code == 0 and "Baza danych gotowa" in out
    assert (tmp_path / "cli.sqlite3").is_file()
    assert main(["init"]) == 0  # again: nothing to do


def test_demo_prints_logins_and_keeps_them_with_if_missing(capsys, cli_db, instance_dir):
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert "http://127.0.0.1:5000" in out
    passwords = dict(re.findall(r"^\s+(asystent1|asystent2|kierownik|admin)\s+\w+\s+(\S+)$", out, re.M))
    assert set(passwords) == {"asystent1", "asystent2", "kierownik", "admin"}
    assert (instance_dir / "demo-logins.txt").stat().st_mode & 0o777 == 0o600

    code, out, _ = run(capsys, "demo", "--if-missing")
    assert code == 0 and "bez zmian" in out
    assert dict(re.findall(r"^\s+(asystent1|asystent2|kierownik|admin)\s+\w+\s+(\S+)$", out, re.M)) == passwords

    (instance_dir / "demo-logins.txt").unlink()
    code, out, _ = run(capsys, "demo", "--if-missing")
    assert code == 0 and "nie istnieje" in out and "docgen demo" in out

    code, out, _ = run(capsys, "demo", "--password", "nowe-hasło-123")
    assert code == 0 and out.count("nowe-hasło-123") == 4


def test_demo_refuses_a_short_password(capsys, cli_db):
    code, _, err = run(capsys, "demo", "--password", "krótkie")
    assert code == 2 and "co najmniej 10 znaków" in err


def test_serve_imports_the_app_lazily(capsys, cli_db, monkeypatch):
    import types

    import waitress

    import webforms.serving  # noqa: F401  (real: it only chooses the server)
    from webforms import proxy

    calls = {}
    fake = types.ModuleType("webforms")
    fake.create_app = lambda config=None: ("the-app", config)
    fake.proxy = proxy
    monkeypatch.setitem(sys.modules, "webforms", fake)
    monkeypatch.setattr(waitress, "serve", lambda app, **kwargs: calls.update(app=app, **kwargs))
    code, out, _ = run(capsys, "serve", "--port", "5055")
    assert code == 0 and "http://127.0.0.1:5055" in out
    assert calls == {"app": ("the-app", None), "host": "127.0.0.1", "port": 5055, "threads": 8}
    # behind a proxy, waitress believes its headers and the app is told not to apply them again
    monkeypatch.setenv("DOCGEN_BEHIND_PROXY", "1")
    calls.clear()
    code, out, _ = run(capsys, "serve", "--port", "5055")
    assert code == 0 and "tylko od 127.0.0.1" in out
    assert calls["app"] == ("the-app", {proxy.APPLIED_BY_SERVER: True})
    assert calls["trusted_proxy"] == "127.0.0.1" and calls["trusted_proxy_count"] == 1


# --- the installed command and the engine's independence of Flask -------------------------

def docgen_script() -> str:
    beside = Path(sys.executable).with_name("docgen")
    found = str(beside) if beside.exists() else shutil.which("docgen")
    assert found, "the docgen console script is missing: pip install -e . (pyproject's [project.scripts])"
    return found


def test_console_script(tmp_path, example_json):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'script.sqlite3'}",
           "DOCGEN_INSTANCE_DIR": str(tmp_path / "instance"), "DOCGEN_OUTPUT_DIR": str(tmp_path / "output")}
    script = docgen_script()

    def call(*argv):
        return subprocess.run([script, *argv], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)

    result = call("types")
    assert result.returncode == 0 and "work_plan\tPlan pracy z rodziną" in result.stdout
    result = call("demo", "--password", "hasło-skryptu-1")
    assert result.returncode == 0, result.stderr
    result = call("render", "work_plan", str(example_json), "-o", "plan.docx")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "plan.docx").is_file()
    result = call("render", "nie_ma", str(example_json), "-o", "x.docx")
    assert result.returncode == 2 and "work_plan" in result.stderr


def test_engine_does_not_import_flask():
    code = (
        "import importlib, pkgutil, sys, docgen\n"
        "names = [m.name for m in pkgutil.walk_packages(docgen.__path__, 'docgen.')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "assert 'docgen.cli' in names and 'docgen.store.demo' in names, names\n"
        "leaked = sorted(m for m in sys.modules if m == 'flask' or m.startswith(('flask.', 'flask_', 'webforms')))\n"
        "print(len(names), leaked)\n"
        "sys.exit(1 if leaked else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_render_pdf_without_libreoffice_says_so_and_spends_nothing(demo_db, example_json, tmp_path, capsys,
                                                                   monkeypatch):
    import docgen.pdf

    monkeypatch.setattr(docgen.pdf, "soffice_path", lambda: None)  # the command needs only soffice itself
    code, out, err = run(capsys, "render", "work_plan", str(example_json), "-o", str(tmp_path / "plan.docx"),
                         "--pdf", str(tmp_path / "plan.pdf"))
    assert code == 2
    assert docgen.pdf.LIBREOFFICE_MISSING in err
    assert not (tmp_path / "plan.docx").exists() and not (tmp_path / "plan.pdf").exists()
    # the next render still gets the office's first number
    code, out, _ = run(capsys, "render", "work_plan", str(example_json), "-o", str(tmp_path / "plan.docx"))
    assert code == 0 and ".4101.1." in out
