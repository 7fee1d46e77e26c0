"""An office's template is checked and rendered in a separate process under limits: the probe's hostile
templates are refused by a named limit within seconds, and the app answers other users meanwhile.

The limits are the settings' (DOCGEN_TEMPLATE_CPU_SECONDS, …), made small here so a refusal by CPU or
wall time takes a second or two, not the minutes the probe waited."""
from __future__ import annotations

import io
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from http.cookiejar import CookieJar

import pytest
from docx import Document

from docgen.context import Letterhead
from docgen.doctypes.work_plan import WORK_PLAN
from docgen.render import render
from docgen.templates import (MAX_VALUE_CHARS, TemplateLimitExceeded, TemplateRejected, check_template, isolation)
from docgen.templates.engine import template_path

BASE = template_path(WORK_PLAN).read_bytes()
LETTERHEAD = Letterhead(name="MOPS w Lipowcu", address="ul. Mickiewicza 5", city="Lipowiec Mazurski")
LIMIT_WORDS = {"cpu": "limit czasu pracy procesora", "wall": "limit czasu", "memory": "limit pamięci"}


def with_paragraph(text: str) -> bytes:
    document = Document(io.BytesIO(BASE))
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def long_string(chars: int) -> tuple[str, str]:
    """Jinja that builds a string of `chars` characters by doubling ("x" * 8, then s ~ s); and its name."""
    sets, number = ["{% set s0 = 'xxxxxxxx' %}"], 0
    while 8 * 2 ** number < chars:
        sets.append(f"{{% set s{number + 1} = s{number} ~ s{number} %}}")
        number += 1
    return "".join(sets), f"s{number}"


def nested_loops(body: str, depth: int, length: int) -> str:
    """`depth` loops one in another over a list of `length` numbers, `body` innermost."""
    items = ",".join(str(number) for number in range(length))
    return (f"{{% set l = [{items}] %}}" + "".join(f"{{% for v{level} in l %}}" for level in range(depth))
            + body + "{% endfor %}" * depth)


def hostile(chars: int, body: str, *, depth: int = 4, length: int = 17) -> bytes:
    """The probe's shape: a long string, then loops in loops doing `body` (with S for the string) in the
    innermost; 4 loops of 17 are 88,740 iterations, under the loop limit of 100,000."""
    build, name = long_string(chars)
    return with_paragraph(build + nested_loops(body.replace("S", name), depth, length))


def refused_by(data: bytes, limit: str) -> str:
    problems = [str(problem) for problem in check_template(data, WORK_PLAN)]
    assert len(problems) == 1 and LIMIT_WORDS[limit] in problems[0], problems
    return problems[0]


@pytest.fixture
def small_limits(monkeypatch):
    """CPU and wall time of one check or render: 1 s and 5 s."""
    monkeypatch.setenv("DOCGEN_TEMPLATE_CPU_SECONDS", "1")
    monkeypatch.setenv("DOCGEN_TEMPLATE_WALL_SECONDS", "5")


# --- the probe's templates -----------------------------------------------------------------------

def test_a_string_built_to_524000_characters_and_looped_over_is_refused_at_once():
    """The probe's first template: its check took 52 s and passed."""
    assert MAX_VALUE_CHARS < 524_288
    problems = [str(p) for p in check_template(hostile(524_288, "{% set t = S|replace('x', 'y') %}", depth=2,
                                                        length=290), WORK_PLAN)]
    assert any("zbyt długi tekst" in problem and "100 000 znaków" in problem for problem in problems), problems


def test_the_four_loop_variant_is_refused_at_once():
    problems = [str(p) for p in check_template(hostile(524_288, "{% set t = S|replace('x', 'y') %}"), WORK_PLAN)]
    assert any("zbyt długi tekst" in problem for problem in problems), problems


def test_a_string_under_the_limit_copied_in_loops_is_refused_by_the_total_it_builds():
    problems = [str(p) for p in check_template(hostile(65_536, "{% set t = S|replace('x', 'y') %}"), WORK_PLAN)]
    assert any("łącznie zbyt dużo tekstu" in problem for problem in problems), problems


def test_loops_that_build_nothing_are_stopped_by_the_cpu_limit(small_limits):
    message = refused_by(hostile(65_536, "{% set n = S|wordcount %}"), "cpu")
    assert message.startswith("Szablon przekroczył limit czasu pracy procesora przy sprawdzaniu (1 s)")


def test_a_check_that_takes_too_long_is_stopped_by_the_time_limit(monkeypatch):
    monkeypatch.setenv("DOCGEN_TEMPLATE_CPU_SECONDS", "600")
    monkeypatch.setenv("DOCGEN_TEMPLATE_WALL_SECONDS", "1")
    message = refused_by(hostile(65_536, "{% set n = S|wordcount %}"), "wall")
    assert message.startswith("Szablon przekroczył limit czasu sprawdzania (1 s)")


def _large_valid_docx(paragraphs: int) -> bytes:
    """The built-in template with `paragraphs` paragraphs of varied words (they compress as text does)."""
    words = random.Random(18)
    letters = "abcdefghijklmnoprstuwyząęłóśżź"
    text = "".join("<w:p><w:r><w:t>" + " ".join("".join(words.choice(letters) for _ in range(words.randint(2, 9)))
                                                 for _ in range(20)) + "</w:t></w:r></w:p>"
                   for _ in range(paragraphs))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(BASE)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = zin.read(info.filename)
            if info.filename == "word/document.xml":
                content = content.replace(b"<w:sectPr", text.encode() + b"<w:sectPr", 1)
            zout.writestr(info.filename, content)
    return out.getvalue()


def test_a_valid_docx_of_a_few_megabytes_is_refused_by_the_size_of_its_part():
    data = _large_valid_docx(40_000)
    assert len(data) > 3 * 2 ** 20
    problems = [str(p) for p in check_template(data, WORK_PLAN)]
    assert problems == [problems[0]] and problems[0].startswith("treść dokumentu: Część word/document.xml ma po "
                                                                  "rozpakowaniu 7,"), problems


def test_a_docx_under_the_part_limit_is_checked_within_the_limits_and_refused_by_a_small_memory_limit(monkeypatch):
    data = _large_valid_docx(8_000)  # document.xml of 1.5 MB, under the 2 MB a part may have
    assert check_template(data, WORK_PLAN) == []  # the default limits leave room for it
    monkeypatch.setenv("DOCGEN_TEMPLATE_MEMORY_MB", "30")
    message = refused_by(data + b"", "memory")
    assert message.startswith("Szablon przekroczył limit pamięci przy sprawdzaniu (30 MB)")


# --- renders ------------------------------------------------------------------------------------

def test_a_render_of_an_office_template_runs_under_the_limits_and_a_built_in_one_in_the_app(small_limits,
                                                                                             monkeypatch):
    """A template that passes the check with the example's family, and burns the CPU for another one."""
    build, name = long_string(65_536)
    data = with_paragraph(build + "{% if family_name == 'Kowalscy' %}"
                          + nested_loops(f"{{% set n = {name}|wordcount %}}", 4, 17) + "{% endif %}")
    assert check_template(data, WORK_PLAN) == []
    family = dict(WORK_PLAN.example(), family_name="Kowalscy")
    with pytest.raises(TemplateLimitExceeded) as refused:
        render(WORK_PLAN, family, letterhead=LETTERHEAD, case_number="X.1", template=data)
    assert str(refused.value).startswith("Szablon przekroczył limit czasu pracy procesora przy wypełnianiu (1 s)")
    made = render(WORK_PLAN, WORK_PLAN.example(), letterhead=LETTERHEAD, case_number="X.1", template=data)
    assert b"word/document.xml" in made  # the next render has a fresh process

    def not_here(*_args, **_kwargs):
        raise AssertionError("a built-in template went to the template processes")

    monkeypatch.setattr(isolation, "render", not_here)
    monkeypatch.setattr(isolation, "check", not_here)
    assert render(WORK_PLAN, family, letterhead=LETTERHEAD, case_number="X.1")[:2] == b"PK"


def test_a_refused_render_is_the_templates_problem_not_a_crash():
    data = with_paragraph("{{ family_name }}")
    assert check_template(data, WORK_PLAN) == []
    with pytest.raises(TemplateRejected) as refused:
        isolation.render(data, {"family_name": "Kowalscy"})  # a context without the type's other names
    assert "nie ma" in str(refused.value)


# --- the app, as `docgen serve` runs it --------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _token(opener, url: str) -> str:
    page = opener.open(url, timeout=30).read().decode()
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.fixture
def served(web_db, tmp_path):
    """`docgen serve` (waitress, 8 threads) on the demo office, with CPU and wall limits of 1 s and 5 s."""
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    env = {**os.environ, "DATABASE_URL": web_db, "DOCGEN_SECRET_KEY": "limits-test",
           "DOCGEN_TEMPLATE_CPU_SECONDS": "1", "DOCGEN_TEMPLATE_WALL_SECONDS": "5"}
    server = subprocess.Popen([sys.executable, "-m", "docgen.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text(errors="replace")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "docgen serve did not start"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_the_app_answers_the_login_page_while_eight_hostile_uploads_are_checked(served, demo_password):
    """The probe: eight uploads of the four-loop variant kept all eight waitress threads for minutes,
    and an anonymous /login did not answer in 30 s. Now one check runs at a time (the others are told
    at once to try later), it is stopped by the CPU limit, and /login answers within a second throughout."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    login = {"csrf_token": _token(opener, served + "/login"), "username": "admin", "password": demo_password}
    opener.open(served + "/login", urllib.parse.urlencode(login).encode(), timeout=30).read()
    token = _token(opener, served + "/admin/szablony/work_plan")
    content_type, body = _multipart(hostile(65_536, "{% set n = S|wordcount %}"), token)
    answers: list[str] = []

    def upload() -> None:
        request = urllib.request.Request(served + "/admin/szablony/work_plan", data=body,
                                         headers={"Content-Type": content_type})
        try:
            answers.append(opener.open(request, timeout=60).read().decode())
        except urllib.error.HTTPError as error:  # 503: the check is busy, said on the page
            answers.append(error.read().decode())

    uploads = [threading.Thread(target=upload) for _ in range(8)]
    for thread in uploads:
        thread.start()
    logins = 0
    while any(thread.is_alive() for thread in uploads) or logins == 0:
        page = urllib.request.urlopen(served + "/login", timeout=1).read().decode()
        assert "Zaloguj" in page
        logins += 1
    for thread in uploads:
        thread.join()
    assert len(answers) == 8
    limited = [answer for answer in answers if "limit czasu pracy procesora przy sprawdzaniu (1 s)" in answer]
    busy = [answer for answer in answers if "spróbuj ponownie za chwilę" in answer]
    assert limited and len(limited) + len(busy) == 8


def _multipart(data: bytes, token: str) -> tuple[str, bytes]:
    boundary = "docgen-limits-test"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"template\"; filename=\"plan.docx\"\r\n"
            "Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document\r\n\r\n").encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body
