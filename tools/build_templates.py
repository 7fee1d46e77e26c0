"""Build the office-format Word templates in templates_docx/ with python-docx.

The templates are committed; this script makes them reproducible: the section
headings come from the document-type definitions (so they never drift from
the validator and the .docx check), and the output is byte-for-byte the same
on every run (fixed timestamps), so `git diff` shows only real changes.

    python tools/build_templates.py            # rebuild every template
    python tools/build_templates.py --check    # exit 1 if a committed template is stale

Rules for the docxtpl tags written here (see "Things that bite with docxtpl" in the design notes):
- every tag is written as one run, so Word's run splitting cannot cut it;
- `{%tr %}` drives table rows, `{%p %}` paragraphs; no plain `{% %}` spans
  structure; inline `{% if %}` appears only inside one run's text;
- the context is `docgen.context.build_context`; the environment uses
  StrictUndefined, so only names that context provides are referenced.
"""
from __future__ import annotations

import argparse
import io
import sys
import zipfile
from pathlib import Path
from typing import Callable

from docx.document import Document as DocumentObject

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from docgen.doctypes import DOCTYPES  # noqa: E402
from tools.docxbuild.cv import build_cv  # noqa: E402
from tools.docxbuild.family_consent import build_family_consent  # noqa: E402
from tools.docxbuild.generic import build_from_definition  # noqa: E402
from tools.docxbuild.letter import build_letter  # noqa: E402
from tools.docxbuild.styles import FIXED_TIME  # noqa: E402
from tools.docxbuild.work_plan import build_work_plan  # noqa: E402

OUT_DIR = ROOT / "templates_docx"

# laid out by hand: the work plan (the model of the office format), the family's consent (its
# statements are worded for who signs) and the family's own documents, which are not in the office
# format; every other type from its definition
BY_HAND: dict[str, Callable[[], DocumentObject]] = {
    "work_plan": build_work_plan,
    "family_consent": build_family_consent,
    "letter": build_letter,
    "cv": build_cv,
}
BUILDERS: dict[str, Callable[[], DocumentObject]] = {
    doctype.template: BY_HAND.get(doctype.id, lambda doctype=doctype: build_from_definition(doctype))
    for doctype in DOCTYPES.values()
}


# --------------------------------------------------------------------------
# Reproducible output
# --------------------------------------------------------------------------

def to_bytes(document: DocumentObject) -> bytes:
    """Save with fixed zip timestamps, so an unchanged template is byte-identical."""
    raw = io.BytesIO()
    document.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            zout.writestr(fixed, zin.read(info.filename))
    return out.getvalue()


def build_all() -> dict[str, bytes]:
    return {name: to_bytes(builder()) for name, builder in BUILDERS.items()}


def same_package(a: bytes, b: bytes) -> bool:
    """Same parts with the same bytes (zlib builds may compress the same data differently)."""
    try:
        with zipfile.ZipFile(io.BytesIO(a)) as za, zipfile.ZipFile(io.BytesIO(b)) as zb:
            return (za.namelist() == zb.namelist()
                    and all(za.read(name) == zb.read(name) for name in za.namelist()))
    except zipfile.BadZipFile:
        return False


def stale_templates(folder: Path = OUT_DIR) -> list[str]:
    """Names of templates in `folder` that differ from a fresh build."""
    return [name for name, data in build_all().items()
            if not (folder / name).exists() or not same_package((folder / name).read_bytes(), data)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a committed template differs from a fresh build")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default: templates_docx/)")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_templates(args.out)
        if stale:
            print("Nieaktualne szablony (uruchom tools/build_templates.py): " + ", ".join(stale), file=sys.stderr)
            return 1
        print("Szablony są aktualne.")
        return 0
    for name, data in build_all().items():
        path = args.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"zapisano {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
