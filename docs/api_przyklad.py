"""Przykład użycia API programu z innego systemu ośrodka (tylko biblioteka standardowa Pythona).

Zakłada rodzinę, szkic planu pracy, pokazuje problemy danych, uzupełnia szkic (z nagłówkiem
If-Match), generuje wersję ze znakiem sprawy i zapisuje ją jako .docx i PDF.

    DOCGEN_URL=http://127.0.0.1:5000 DOCGEN_TOKEN=dar_… python docs/api_przyklad.py

Token tworzy się w programie: menu konta → Tokeny API. Dane poniżej są zmyślone.
"""
from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request

BASE = os.environ.get("DOCGEN_URL", "http://127.0.0.1:5000").rstrip("/")
TOKEN = os.environ.get("DOCGEN_TOKEN", "")


def call(method: str, path: str, body: dict | None = None, headers: dict | None = None):
    """(status, headers, JSON or bytes) of one call; a problem+json error is printed and stops the script."""
    data = json.dumps(body).encode("utf-8") if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method, headers={
        "Authorization": f"Bearer {TOKEN}", **({"Content-Type": "application/json"} if data else {}),
        **(headers or {})})
    try:
        with urllib.request.urlopen(request) as answer:
            content = answer.read()
            kind = answer.headers.get_content_type()
            return answer.status, answer.headers, json.loads(content) if kind.endswith("json") else content
    except urllib.error.HTTPError as error:
        problem = json.loads(error.read() or b"{}")
        if error.code == 422 and path.endswith("/versions"):
            return error.code, error.headers, problem
        print(f"{method} {path}: {error.code} {problem.get('title')}: {problem.get('detail')}", file=sys.stderr)
        for item in problem.get("problems", []):
            print(f"  {item['path']}: {item['message']}", file=sys.stderr)
        raise SystemExit(1) from None


def main() -> None:
    if not TOKEN:
        raise SystemExit("Ustaw DOCGEN_TOKEN (token z programu: Tokeny API).")
    _, _, family = call("POST", "/api/v1/families", {"data": {
        "family_name": "Nowaczykowie", "address": "ul. Polna 7, 22-400 Zamość",
        "members": [{"first_name": "Iwona", "last_name": "Nowaczyk", "sex": "K", "birth_date": "1990-05-17",
                     "relation": "matka"}]}})
    print(f"Rodzina {family['id']}: {family['data']['family_name']}")
    _, headers, draft = call("POST", f"/api/v1/families/{family['id']}/documents", {"doc_type": "work_plan"})
    print(f"Szkic planu pracy {draft['id']}")
    _, _, report = call("GET", f"/api/v1/documents/{draft['id']}/problems")
    for item in report["problems"]:
        print(f"  [{item['severity']}] {item['path']}: {item['message']}")
    # the type's invented example fills what is missing; the family's own fields stay
    _, _, example = call("GET", "/api/v1/types/work_plan/example")
    fill = {key: value for key, value in example.items() if not draft["data"].get(key)}
    fill["members"] = [{**row, "took_part": True} for row in draft["data"]["members"]]
    _, headers, draft = call("PATCH", f"/api/v1/documents/{draft['id']}", {"data": fill},
                             {"If-Match": headers["ETag"]})
    _, _, report = call("GET", f"/api/v1/documents/{draft['id']}/problems")
    warnings = [item["key"] for item in report["problems"] if item["severity"] == "warning" and not item["confirmed"]]
    if warnings:  # read, then confirmed on purpose, as on the wizard's summary
        call("POST", f"/api/v1/documents/{draft['id']}/warnings", {"confirm": warnings})
    status, _, version = call("POST", f"/api/v1/documents/{draft['id']}/versions")
    if status == 422:
        for item in version.get("problems", []):
            print(f"  {item['path']}: {item['message']}")
        raise SystemExit("Dokument nie jest jeszcze kompletny.")
    print(f"Wersja {version['version']}, znak sprawy {version['case_number']}")
    for url, suffix in ((version["docx_url"], "docx"), (version["pdf_url"], "pdf")):
        _, _, content = call("GET", url)
        name = f"plan_{draft['id']}_v{version['version']}.{suffix}"
        with open(name, "wb") as handle:
            handle.write(content)
        print(f"Zapisano {name}")


if __name__ == "__main__":
    main()
