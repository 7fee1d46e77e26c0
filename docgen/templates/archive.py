"""A .docx as a zip archive: bounded before anything unpacks it, and free of macros and external links.

Everything here reads the archive's directory first and refuses on the sizes it declares; a part
is then read at most to its declared size (zipfile stops there, and a part that was larger fails its
CRC). Nothing is extracted to disk.
"""
from __future__ import annotations

import hashlib
import io
import re
import threading
import zipfile
import zlib
from collections import OrderedDict
from dataclasses import dataclass

from lxml import etree

from .fields import forbidden_fields
from .problems import TemplateProblem, TemplateRejected

MAX_TEMPLATE_BYTES = 10 * 2 ** 20          # the uploaded file
MAX_ENTRIES = 1000                         # parts in the archive (Word writes 10–40, images add some)
MAX_UNCOMPRESSED_BYTES = 64 * 2 ** 20      # all parts unpacked
MAX_COMPRESSION_RATIO = 100                # unpacked : packed, for a part over RATIO_FLOOR
RATIO_FLOOR = 2 ** 20                      # smaller parts may compress as well as they like
# one XML part unpacked: Word writes 50-300 KB for a template of a few pages; checking and rendering
# take about 2 s of CPU per MB (docxtpl's clean-up of the XML), well within the process's limits
MAX_PART_BYTES = 2 * 2 ** 20

REQUIRED_PARTS = ("[Content_Types].xml", "word/document.xml")
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"

NOT_ZIP = ("Plik nie jest dokumentem Word (.docx): to nie jest archiwum ZIP. Otwórz szablon w Wordzie "
           "i zapisz go jako „Dokument programu Word (*.docx)”.")
BROKEN = "Plik .docx jest uszkodzony ({detail}). Zapisz szablon w Wordzie jeszcze raz jako .docx."

# parts, content types and relationship types that carry code or objects Word would run or load
_ACTIVE_NAMES = re.compile(r"(^|/)(vbaproject\.bin|vbadata\.xml)$|^word/(activex|embeddings)/", re.IGNORECASE)
_ACTIVE_TYPES = re.compile(r"macroenabled|vbaproject|vbadata|activex|oleobject|ms-office\.vba", re.IGNORECASE)
# (aFChunk: a whole other document, RTF or HTML, that Word imports on opening, fields and images included)
_ACTIVE_RELS = re.compile(r"/(vbaproject|oleobject|activexcontrol(binary)?|control|package|wordvbadata|afchunk)$",
                          re.IGNORECASE)

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_NS = {"ct": "http://schemas.openxmlformats.org/package/2006/content-types",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}


@dataclass(frozen=True)
class Package:
    """The parts of a bounded, checked archive, by name."""

    parts: dict[str, bytes]


def part_place(name: str) -> str:
    """How a user would call a part of the file."""
    base = name.rsplit("/", 1)[-1]
    if name == "word/document.xml":
        return "treść dokumentu"
    if re.fullmatch(r"header\d*\.xml", base):
        return "nagłówek"
    if re.fullmatch(r"footer\d*\.xml", base):
        return "stopka"
    if base == "footnotes.xml":
        return "przypisy"
    if base == "endnotes.xml":
        return "przypisy końcowe"
    if base == "comments.xml":
        return "komentarze"
    if base == "settings.xml":
        return "ustawienia dokumentu"
    if name.startswith("docProps/"):
        return "właściwości dokumentu"
    return f"część pliku {name}"


def _rels_owner(name: str) -> str:
    """word/_rels/document.xml.rels -> word/document.xml"""
    folder, _, base = name.rpartition("_rels/")
    return folder + base[:-len(".rels")]


def _mb(size: int) -> str:
    return f"{size / 2 ** 20:.1f}".replace(".", ",") + " MB"


def read_package(data: bytes) -> tuple[Package | None, list[TemplateProblem]]:
    """The archive's parts, or None and why not. Problems of a readable archive come with its parts."""
    if len(data) > MAX_TEMPLATE_BYTES:
        return None, [TemplateProblem(f"Plik jest za duży ({_mb(len(data))}); szablon może mieć najwyżej "
                                      f"{_mb(MAX_TEMPLATE_BYTES)}.")]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return None, [TemplateProblem(NOT_ZIP)]
    with archive:
        entries = archive.infolist()
        problems = _bounds(entries)
        if problems:
            return None, problems
        parts: dict[str, bytes] = {}
        for info in entries:
            try:
                with archive.open(info) as stream:
                    blob = stream.read(info.file_size + 1)
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError) as error:
                return None, [TemplateProblem(BROKEN.format(detail=f"część {info.filename}: {error}"))]
            if len(blob) != info.file_size:
                return None, [TemplateProblem(BROKEN.format(detail=f"część {info.filename} ma inny rozmiar "
                                                                   "niż zapisany w archiwum"))]
            parts[info.filename] = blob
    missing = [name for name in REQUIRED_PARTS if name not in parts]
    if missing:
        return None, [TemplateProblem("Plik nie jest dokumentem Word (.docx): brakuje części "
                                      + ", ".join(missing) + ".")]
    package = Package(parts)
    return package, _content(package)


def _bounds(entries: list[zipfile.ZipInfo]) -> list[TemplateProblem]:
    if len(entries) > MAX_ENTRIES:
        return [TemplateProblem(f"Archiwum .docx ma zbyt wiele części ({len(entries)}; najwięcej {MAX_ENTRIES}) "
                                "– to nie wygląda na zwykły dokument Word.")]
    total = sum(info.file_size for info in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        return [TemplateProblem(f"Po rozpakowaniu plik miałby {_mb(total)} (najwięcej "
                                f"{_mb(MAX_UNCOMPRESSED_BYTES)}) – to nie wygląda na zwykły dokument Word.")]
    problems: list[TemplateProblem] = []
    names: set[str] = set()
    for info in entries:
        name = info.filename
        if name in names:
            problems.append(TemplateProblem(BROKEN.format(detail=f"część {name} występuje dwa razy")))
        names.add(name)
        if info.flag_bits & 0x1:
            problems.append(TemplateProblem("Plik .docx jest zaszyfrowany albo chroniony hasłem; zapisz szablon "
                                            "bez hasła."))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            problems.append(TemplateProblem(BROKEN.format(detail=f"część {name} jest spakowana nietypową metodą")))
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            problems.append(TemplateProblem(
                f"Część {name} rozpakowuje się {info.file_size // max(info.compress_size, 1)} razy "
                f"(najwięcej {MAX_COMPRESSION_RATIO}) – to wygląda na „bombę ZIP”, nie na dokument Word."))
        elif name.lower().endswith((".xml", ".rels")) and info.file_size > MAX_PART_BYTES:
            problems.append(TemplateProblem(
                f"Część {name} ma po rozpakowaniu {_mb(info.file_size)}, a jedna część szablonu może mieć najwyżej "
                f"{_mb(MAX_PART_BYTES)}: taki szablon byłby zbyt duży, by go sprawdzić i wypełnić. Usuń z niego "
                "zbędną treść (szablon to wzór dokumentu, nie gotowy dokument) albo podziel go.", part_place(name)))
    return problems


def _content(package: Package) -> list[TemplateProblem]:
    """Macros, ActiveX, embedded objects, external links, DTDs and active field codes."""
    problems: list[TemplateProblem] = []
    for name, blob in package.parts.items():
        if _ACTIVE_NAMES.search(name):
            problems.append(TemplateProblem(f"Plik zawiera makra albo osadzone obiekty ({name}); szablon musi być "
                                            "zwykłym dokumentem .docx bez makr, kontrolek ActiveX i obiektów OLE.",
                                            part_place(name)))
        if name.endswith((".xml", ".rels")) and (b"<!DOCTYPE" in blob or b"<!ENTITY" in blob):
            problems.append(TemplateProblem("Część pliku zawiera deklarację DTD (<!DOCTYPE>/<!ENTITY>), której "
                                            "Word nie zapisuje; plik został spreparowany.", part_place(name)))
    if problems:
        return problems
    problems += _content_types(package.parts["[Content_Types].xml"])
    for name, blob in package.parts.items():
        if name.endswith(".rels"):
            problems += _relationships(name, blob)
        elif name.endswith(".xml") and name.startswith("word/"):
            problems += field_problems(name, blob)
            if name == "word/settings.xml" and _mail_merge(blob):
                problems.append(TemplateProblem(MAIL_MERGE, part_place(name)))
    return problems


MAIL_MERGE = ("Szablon jest dokumentem korespondencji seryjnej połączonym ze źródłem danych (Word pytałby o nie "
              "i czytał je przy otwarciu); w Wordzie wybierz Korespondencja › Rozpocznij korespondencję seryjną › "
              "Normalny dokument programu Word i zapisz szablon ponownie.")


def field_problems(name: str, xml: bytes | str, rendered: bool = False) -> list[TemplateProblem]:
    """Every field of the part `name` that is not on fields.ALLOWED, with its place; `rendered`: found
    in what a render produced rather than in the template itself."""
    problems = []
    for field in forbidden_fields(xml):
        place = ", ".join(filter(None, (part_place(name), field.block)))
        problems.append(TemplateProblem(field.message(rendered), place, field.instruction.strip()[:60]))
    return problems


def _mail_merge(blob: bytes) -> bool:
    if b"mailMerge" not in blob and blob.removeprefix(b"\xef\xbb\xbf").startswith(b"<"):
        return False
    root = _parse(blob)
    return root is not None and any(isinstance(el.tag, str) and el.tag.endswith("}mailMerge") for el in root.iter())


def _parse(blob: bytes):
    try:
        return etree.fromstring(blob, _PARSER)
    except etree.XMLSyntaxError:
        return None


def _content_types(blob: bytes) -> list[TemplateProblem]:
    root = _parse(blob)
    if root is None:
        return [TemplateProblem(BROKEN.format(detail="spis części [Content_Types].xml nie jest poprawnym XML"))]
    problems: list[TemplateProblem] = []
    main = None
    for item in [*root.iterfind("ct:Default", _NS), *root.iterfind("ct:Override", _NS)]:
        content_type = item.get("ContentType", "")
        if _ACTIVE_TYPES.search(content_type):
            problems.append(TemplateProblem(f"Plik jest dokumentem z makrami albo osadzonymi obiektami "
                                            f"({content_type}); zapisz szablon jako zwykły .docx bez makr."))
        if item.get("PartName", "").lower() == "/word/document.xml":
            main = content_type
    if main is not None and main != DOCX_MAIN and not problems:
        what = "szablonem Worda (.dotx)" if "template.main" in main else f"innym typem pliku ({main})"
        problems.append(TemplateProblem(f"Plik jest {what}, a nie dokumentem .docx; zapisz go jako "
                                        "„Dokument programu Word (*.docx)”."))
    return problems


def _relationships(name: str, blob: bytes) -> list[TemplateProblem]:
    root = _parse(blob)
    place = part_place(_rels_owner(name))
    if root is None:
        return [TemplateProblem(BROKEN.format(detail=f"część {name} nie jest poprawnym XML"))]
    problems: list[TemplateProblem] = []
    for rel in root.iterfind("rel:Relationship", _NS):
        target, kind = rel.get("Target", ""), rel.get("Type", "")
        if (rel.get("TargetMode") or "").lower() == "external":
            problems.append(TemplateProblem(
                "Szablon odwołuje się do zewnętrznego adresu (obraz połączony z plikiem, hiperłącze albo "
                "dołączony szablon); szablon nie może niczego pobierać z zewnątrz – wstaw obraz do dokumentu, "
                "a adres wpisz zwykłym tekstem.", place, target[:80]))
        elif _ACTIVE_RELS.search(kind):
            problems.append(TemplateProblem("Szablon zawiera makra albo osadzone obiekty; zapisz go jako zwykły "
                                            ".docx bez makr, kontrolek ActiveX i obiektów OLE.", place, target[:80]))
    return problems


# --- for rendering: the same bounds, refused as an exception --------------------------------

_SAFE: OrderedDict[str, tuple[TemplateProblem, ...]] = OrderedDict()
_SAFE_LOCK = threading.Lock()


def package_problems(data: bytes) -> tuple[TemplateProblem, ...]:
    """`read_package`'s problems, remembered by the file's digest (the fast path renders the same bytes)."""
    digest = hashlib.sha256(data).hexdigest()
    found = _SAFE.get(digest)
    if found is None:
        found = tuple(read_package(data)[1])
        with _SAFE_LOCK:  # the web app renders in several threads
            _SAFE[digest] = found
            while len(_SAFE) > 64:
                _SAFE.popitem(last=False)
    return found


def require_safe_package(data: bytes) -> None:
    problems = package_problems(data)
    if problems:
        raise TemplateRejected(problems)
