""""Pismo" — a letter a family member writes with the assistant's help (art. 15 ust. 1: help with
official matters): a request, an application, an appeal, an excuse for school, an authorisation.

The family member signs it, not the office: the letter carries no letterhead and no case number.
Where the assistant files it on the family's behalf, the same file gets a second page, the
"upoważnienie" the family member signs (unless the letter itself is the authorisation).
"""
from __future__ import annotations

import re
from typing import Any, Iterator

from ..definition import (BOOL, CHOICE, DATE, TEXTAREA, WARNING, DocType, Field, Issue, PrintCheck, Repeat, Rule,
                          Section)
from ..polish import SEXES, phrases

# code -> (label in the wizard, title, body skeleton); the user edits both, filling the "[…]" gaps.
# "{pracowalem}" and the like are words that follow the sender's sex (docgen.polish.phrases): the
# skeleton offered is already "pracowałam" or "pracowałem", never "pracowałem(-am)".
LETTER_KINDS: dict[str, tuple[str, str, str]] = {
    "dodatek_mieszkaniowy": (
        "wniosek o dodatek mieszkaniowy",
        "Wniosek o przyznanie dodatku mieszkaniowego",
        "Zwracam się z wnioskiem o przyznanie dodatku mieszkaniowego dla mojego gospodarstwa domowego, "
        "zajmującego lokal pod adresem […].\n"
        "\n"
        "Gospodarstwo domowe liczy […] osób. Łączny dochód gospodarstwa domowego z trzech miesięcy "
        "kalendarzowych poprzedzających dzień złożenia wniosku wyniósł […] zł. Powierzchnia użytkowa lokalu "
        "wynosi […] m², a miesięczne wydatki na lokal – […] zł.\n"
        "\n"
        "Uzasadnienie: […]\n"
        "\n"
        "Uprzejmie proszę o pozytywne rozpatrzenie wniosku.",
    ),
    "lokal_socjalny": (
        "wniosek o przydział lokalu socjalnego",
        "Wniosek o przydział lokalu socjalnego",
        "Zwracam się z uprzejmą prośbą o przydział lokalu socjalnego z zasobu mieszkaniowego Gminy […] "
        "dla mnie i mojej rodziny ([…] osób).\n"
        "\n"
        "Obecnie zamieszkujemy pod adresem […]. Warunki mieszkaniowe są bardzo trudne: […] "
        "(np. powierzchnia i stan techniczny lokalu, liczba osób w jednym pokoju, wyrok eksmisyjny).\n"
        "\n"
        "Łączny miesięczny dochód mojego gospodarstwa domowego wynosi […] zł, co nie pozwala na wynajęcie "
        "mieszkania na wolnym rynku.\n"
        "\n"
        "Uprzejmie proszę o pozytywne rozpatrzenie wniosku.",
    ),
    "podanie_o_prace": (
        "podanie o pracę",
        "Podanie o pracę",
        "Zwracam się z uprzejmą prośbą o zatrudnienie mnie na stanowisku […] w pełnym (niepełnym) "
        "wymiarze czasu pracy.\n"
        "\n"
        "Mam wykształcenie […] oraz doświadczenie w pracy na stanowisku […]. Jestem osobą sumienną, "
        "punktualną i chętną do nauki. Mogę podjąć pracę od dnia […].\n"
        "\n"
        "Do podania dołączam życiorys zawodowy (CV).\n"
        "\n"
        "Uprzejmie proszę o pozytywne rozpatrzenie mojego podania.",
    ),
    "list_motywacyjny": (
        "list motywacyjny",
        "List motywacyjny",
        "Szanowni Państwo,\n"
        "\n"
        "w odpowiedzi na ogłoszenie o pracy na stanowisku […], opublikowane […], przedstawiam swoją "
        "kandydaturę.\n"
        "\n"
        "{Pracowalem} jako […] w […], gdzie {zajmowalem} się […]. Dzięki temu {nauczylem} się […].\n"
        "\n"
        "W pracy cenię […]. Zatrudnienie w Państwa firmie jest dla mnie szansą na […].\n"
        "\n"
        "Będę {wdzieczny} za możliwość rozmowy, podczas której chętnie opowiem o swoim doświadczeniu.\n"
        "\n"
        "Z wyrazami szacunku",
    ),
    "rozlozenie_na_raty": (
        "wniosek o rozłożenie zadłużenia na raty",
        "Wniosek o rozłożenie zadłużenia na raty",
        "Zwracam się z uprzejmą prośbą o rozłożenie na […] miesięcznych rat zadłużenia z tytułu […] "
        "(np. opłat za lokal przy ul. […]) w łącznej kwocie […] zł.\n"
        "\n"
        "Uzasadnienie: zadłużenie powstało z powodu […]. Dochód mojego gospodarstwa domowego wynosi obecnie "
        "[…] zł miesięcznie, co nie pozwala mi spłacić całej kwoty jednorazowo. Mogę spłacać zadłużenie "
        "w ratach po […] zł miesięcznie, płatnych do […] dnia każdego miesiąca, niezależnie od bieżących "
        "opłat.\n"
        "\n"
        "Uprzejmie proszę o pozytywne rozpatrzenie wniosku.",
    ),
    "usprawiedliwienie": (
        "usprawiedliwienie nieobecności dziecka w szkole",
        "Usprawiedliwienie nieobecności",
        "Uprzejmie proszę o usprawiedliwienie nieobecności mojego dziecka […] (klasa […]) w szkole "
        "w dniach od […] do […].\n"
        "\n"
        "Nieobecność była spowodowana […].",
    ),
    "spotkanie_z_wychowawca": (
        "prośba o spotkanie z wychowawcą",
        "Prośba o spotkanie z wychowawcą",
        "Zwracam się z prośbą o wyznaczenie terminu spotkania z wychowawcą klasy […], do której uczęszcza "
        "moje dziecko […].\n"
        "\n"
        "{Chcialbym} porozmawiać o […] (np. wynikach w nauce, zachowaniu, frekwencji).\n"
        "\n"
        "Najdogodniejsze są dla mnie terminy: […]. Proszę o kontakt pod numerem telefonu podanym powyżej.",
    ),
    "zasilek": (
        "wniosek o zasiłek",
        "Wniosek o przyznanie zasiłku",
        "Zwracam się z prośbą o przyznanie mi zasiłku […] (celowego, okresowego, stałego) z pomocy "
        "społecznej na […] (np. zakup opału, leków, żywności, odzieży dla dzieci).\n"
        "\n"
        "Uzasadnienie: moja sytuacja materialna jest trudna, ponieważ […]. Gospodarstwo domowe liczy […] "
        "osób, a łączny miesięczny dochód netto wynosi […] zł.\n"
        "\n"
        "Uprzejmie proszę o pozytywne rozpatrzenie wniosku.",
    ),
    "odwolanie": (
        "odwołanie od decyzji",
        "Odwołanie od decyzji nr […] z dnia […]",
        "Za pośrednictwem organu, który wydał decyzję, wnoszę odwołanie od decyzji […] nr […] z dnia […], "
        "doręczonej mi w dniu […], w sprawie […].\n"
        "\n"
        "Zaskarżonej decyzji zarzucam […].\n"
        "\n"
        "Wnoszę o uchylenie zaskarżonej decyzji w całości i […] (np. przyznanie świadczenia albo przekazanie "
        "sprawy do ponownego rozpatrzenia).\n"
        "\n"
        "Uzasadnienie\n"
        "[…]",
    ),
    "upowaznienie": (
        "upoważnienie",
        "Upoważnienie",
        "Ja, niżej {podpisany} {sender}, {legitymujacy} dowodem osobistym nr […], upoważniam: […], "
        "dowód osobisty nr […], do […] (np. złożenia w moim imieniu wniosku o […] oraz odbioru korespondencji "
        "w tej sprawie) w […].\n"
        "\n"
        "Upoważnienie jest ważne do dnia […].",
    ),
    "pismo_ogolne": (
        "pismo ogólne",
        "Pismo w sprawie […]",
        "Zwracam się z uprzejmą prośbą o […].\n"
        "\n"
        "Uzasadnienie: […]\n"
        "\n"
        "Z poważaniem",
    ),
}

KINDS = tuple((code, label) for code, (label, _, _) in LETTER_KINDS.items())
AUTHORISATION = "upowaznienie"


def kind_body(kind: str, sex: str | None, sender: str = "") -> str:
    """The kind's body skeleton worded for the sender: "pracowałam" for a woman, "pracowałem" for a man;
    the sender's name where the skeleton names them ("Ja, niżej podpisana Anna Zawadzka, …")."""
    words = phrases([sex])
    words.update({key[:1].upper() + key[1:]: value[:1].upper() + value[1:] for key, value in words.items()})
    return LETTER_KINDS[kind][2].format(**words, sender=sender.strip() or "[…]")

SECTIONS = (
    # numbered=False throughout: a letter has no numbered sections; the wizard's steps only
    Section("sender", "Nadawca", numbered=False,
            help="Członek rodziny, który pisze i podpisuje pismo.", items=(
                Field("sender_name", "Imię i nazwisko nadawcy", prefill="family_head_name"),
                Field("sender_sex", "Płeć nadawcy", CHOICE, choices=SEXES, prefill="family_head_sex",
                      help="Od niej zależą słowa pisma i upoważnienia: „niżej podpisana” albo „niżej podpisany”, "
                           "„zamieszkała” albo „zamieszkały”."),
                Field("sender_address", "Adres nadawcy", TEXTAREA, max_length=300, prefill="address_lines",
                      help="Ulica i numer; w drugim wierszu kod pocztowy i miejscowość."),
                Field("sender_phone", "Telefon nadawcy", required=False, max_length=40, prefill="family_head_phone"),
            )),
    Section("addressee", "Adresat", numbered=False,
            help="Urząd, instytucja lub osoba, do której pismo jest kierowane.", items=(
                Field("addressee_name", "Adresat (nazwa)",
                      help="Np. Spółdzielnia Mieszkaniowa „Przyszłość”, Dyrektor Szkoły Podstawowej nr 2."),
                Field("addressee_address", "Adres adresata", TEXTAREA, max_length=400,
                      help="Ulica i numer; w drugim wierszu kod pocztowy i miejscowość."),
            )),
    Section("kind", "Rodzaj pisma", numbered=False,
            help="Tytuł i wzór treści pisma tego rodzaju pojawią się w następnym kroku; można je zmienić.",
            items=(Field("kind", "Rodzaj pisma", CHOICE, choices=KINDS),)),
    Section("content", "Treść pisma", numbered=False,
            help="Uzupełnij miejsca oznaczone […] i usuń to, co nie dotyczy.", items=(
                Field("title", "Tytuł pisma", help="Np. Wniosek o rozłożenie zadłużenia na raty."),
                Field("body", "Treść", TEXTAREA, max_length=20000,
                      help="Prośba i jej uzasadnienie. Pusty wiersz zaczyna nowy akapit."),
                Repeat("attachments", "Załączniki", item_label="załącznik", max_items=30,
                       help="Dokumenty dołączone do pisma; pozostaw puste, jeśli ich nie ma.",
                       fields=(Field("name", "Nazwa załącznika", help="Np. zaświadczenie o dochodach."),)),
            )),
    Section("filing", "Złożenie pisma", numbered=False,
            help="Jeśli pismo złoży asystent rodziny, do pisma dołącza się upoważnienie podpisane przez "
                 "nadawcę (druga strona tego samego dokumentu).", items=(
                Field("on_behalf", "Asystent rodziny złoży pismo w imieniu nadawcy", BOOL, required=False),
                Field("authorised_name", "Osoba upoważniona – asystent rodziny",
                      required=False, prefill="assistant_name",
                      help="Imię i nazwisko. Wymagane, gdy asystent składa pismo w imieniu nadawcy."),
                Field("authorised_id", "Dokument tożsamości osoby upoważnionej", required=False, max_length=100,
                      help="Rodzaj, seria i numer, np. dowód osobisty ABC 123456. Wymagany, gdy asystent "
                           "składa pismo w imieniu nadawcy: upoważnienie je podaje."),
                Field("sender_id", "Dokument tożsamości nadawcy (udzielającego upoważnienia)", required=False,
                      max_length=100,
                      help="Rodzaj, seria i numer, np. dowód osobisty ABC 654321. Wymagany, gdy asystent "
                           "składa pismo w imieniu nadawcy."),
                Field("authorisation_scope", "Zakres upoważnienia", TEXTAREA, required=False, max_length=1000,
                      help="Dokończ zdanie „upoważniam … do …”, np. złożenia wniosku o … oraz odbioru "
                           "korespondencji w tej sprawie. Puste: złożenie tego pisma i odbiór korespondencji."),
            )),
    Section("signing", "Miejsce i data", numbered=False, items=(
        Field("place", "Miejscowość", prefill="office_city"),
        Field("document_date", "Data pisma", DATE, prefill="today"),
    )),
)


def _text(data: dict[str, Any], name: str) -> str:
    """A field's text, stripped; "" for anything else (a draft is not validated yet)."""
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def default_scope(data: dict[str, Any]) -> str:
    """What an authorisation to file this letter covers, in the words an office expects."""
    title, addressee = _text(data, "title"), _text(data, "addressee_name")
    text = "złożenia w moim imieniu pisma"
    if title:
        text += f" „{title}”"
    if addressee:
        text += f" (adresat: {addressee})"
    return text + " wraz z załącznikami oraz odbioru korespondencji i dokumentów w tej sprawie"


def fill_in(data: dict[str, Any]) -> dict[str, Any]:
    """The kind's title and body skeleton; the authorisation's scope once the title is known."""
    values: dict[str, Any] = {}
    kind = _text(data, "kind")
    if kind in LETTER_KINDS:
        values["title"] = LETTER_KINDS[kind][1]
        values["body"] = kind_body(kind, data.get("sender_sex"), _text(data, "sender_name"))
    if _text(data, "title"):  # a scope without the letter's title would be too vague to offer
        values["authorisation_scope"] = default_scope(data)
    return values


def _authorisation_page(data: dict[str, Any]) -> bool:
    """The assistant files the letter, which is not itself an authorisation: a second page holds one."""
    return data.get("on_behalf") is True and data.get("kind") != AUTHORISATION


def _authorised_named(data: dict[str, Any]) -> Iterator[Issue]:
    if data.get("on_behalf") is True and not _text(data, "authorised_name"):
        yield Issue("authorised_name", "Osoba upoważniona: gdy asystent rodziny składa pismo w imieniu nadawcy, "
                                       "podaj imię i nazwisko asystenta – wystawiamy dla niego upoważnienie.")
    if _authorisation_page(data):
        for name, whose in (("sender_id", "nadawcy, który udziela upoważnienia"),
                            ("authorised_id", "osoby upoważnionej")):
            if not _text(data, name):
                yield Issue(name, f"Dokument tożsamości {whose}: upoważnienie podaje dokumenty tożsamości obu "
                                  "osób – wpisz rodzaj, serię i numer, np. dowód osobisty ABC 123456.")


# what the ready-made wordings leave to fill: a gap "[…]" (typed "[...]" too) and a hint "(np. …)"
_GAP = re.compile(r"\[\s*(?:…|\.\.\.)\s*\]")
_HINTS = sorted({hint.group() for _, title, body in LETTER_KINDS.values()
                 for hint in re.finditer(r"\(np\. [^()]*\)", f"{title}\n{body}")}, key=len, reverse=True)
# a hint as the wording gave it, whatever the spaces or line breaks around its words
_HINT = re.compile("|".join(r"\s+".join(map(re.escape, hint.split())) for hint in _HINTS))
_SHOWN_GAPS = 3


def _around(text: str, start: int, end: int) -> str:
    """The gap with the three words around it on its line, as the user finds it in the text."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    before, after = text[line_start:start], text[end:len(text) if line_end < 0 else line_end]
    near_before = re.search(r"(?:\S+\s+){0,3}\S*$", before)
    near_after = re.match(r"\S*(?:\s+\S+){0,2}", after)
    cut_before, cut_after = before[:near_before.start()].strip(), after[near_after.end():].strip()
    return (f"„{'…' if cut_before else ''}{near_before.group()}{text[start:end]}{near_after.group()}"
            f"{'…' if cut_after else ''}”")


def template_gaps(text: str) -> list[str]:
    """Each hint "(np. …)" of a ready-made wording and each gap "[…]" outside one, in order, shown
    in its context."""
    hints = [match.span() for match in _HINT.finditer(text)] if _HINTS else []
    found = [(start, f"podpowiedź „{text[start:end]}”") for start, end in hints]
    found += [(match.start(), _around(text, *match.span())) for match in _GAP.finditer(text)
              if not any(start <= match.start() < end for start, end in hints)]
    return [shown for _, shown in sorted(found)]


def _places(count: int) -> str:
    if count == 1:
        return "1 miejsce"
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return f"{count} miejsca"
    return f"{count} miejsc"


def _gaps_left(data: dict[str, Any]) -> Iterator[Issue]:
    for name, label in (("title", "Tytuł pisma"), ("body", "Treść")):
        gaps = template_gaps(_text(data, name))
        if not gaps:
            continue
        shown = "; ".join(gaps[:_SHOWN_GAPS])
        more = f" i jeszcze {len(gaps) - _SHOWN_GAPS}" if len(gaps) > _SHOWN_GAPS else ""
        yield Issue(name, f"{label}: {_places(len(gaps))} ze wzoru pisma do uzupełnienia – {shown}{more}. "
                          "Uzupełnij je albo potwierdź, że mają zostać w piśmie tak, jak są.")


RULES = (
    Rule("authorised_named", "Pismo składane w imieniu nadawcy wskazuje upoważnionego asystenta, a upoważnienie "
                             "– dokumenty tożsamości obu osób.",
         _authorised_named, section="filing"),
    Rule("template_gaps", "Miejsca „[…]” i podpowiedzi „(np. …)” ze wzoru pisma są uzupełnione albo "
                          "świadomie pozostawione.", _gaps_left, section="content", severity=WARNING),
)


# --- the printed letter, for the .docx validator --------------------------------------------

_SIGNATURE_LINE = re.compile(r"^[.…_]{10,}$")
_SIGNATURE_CAPTION = re.compile(r"^\(podpis\b")
# the title of the authorisation's page, printed in capitals (a letter's own title is not)
AUTHORISATION_TITLE = "UPOWAŻNIENIE"


def _signature_blocks(lines: list[str]) -> list[int]:
    """Where a signature block stands: a dotted line with a "(podpis …)" caption at most 3 lines under it."""
    return [index for index, line in enumerate(lines) if _SIGNATURE_LINE.match(line)
            and any(_SIGNATURE_CAPTION.match(below) for below in lines[index + 1:index + 4])]


def _signed(lines: list[str]) -> Iterator[str]:
    lines = [line.strip() for line in lines]
    blocks = _signature_blocks(lines)
    authorisation = max((i for i, line in enumerate(lines) if line == AUTHORISATION_TITLE), default=None)
    letter_end = len(lines) if authorisation is None else authorisation
    if not any(block < letter_end for block in blocks):
        yield ("Brak podpisu nadawcy pod pismem: linii do podpisu (kropki), pod nią imienia i nazwiska "
               "i opisu „(podpis …)”.")
    if authorisation is not None and not any(block > authorisation for block in blocks):
        yield ("Brak podpisu pod upoważnieniem: linii do podpisu (kropki), pod nią imienia i nazwiska "
               "i opisu „(podpis osoby udzielającej upoważnienia)”.")


PRINT_CHECKS = (
    PrintCheck("signed", "Pismo (i dołączone upoważnienie) ma blok podpisu nadawcy.", _signed),
)


def derive(data: dict[str, Any]) -> dict[str, Any]:
    """The authorisation page (when the assistant files the letter and it is not itself an
    authorisation) and its wording; the signature caption of an authorisation."""
    own = data.get("kind") == AUTHORISATION
    address = ", ".join(line.strip() for line in _text(data, "sender_address").splitlines() if line.strip())
    return {
        "authorisation_page": _authorisation_page(data),
        # "niżej podpisana", "zamieszkała": the words of the sender's sex
        "wording": phrases([data.get("sender_sex")]),
        # printed as "upoważniam … do {text}.": a typed leading "do" or closing full stop is not doubled
        "authorisation_text": re.sub(r"^(?i:do)\s+|\.$", "", _text(data, "authorisation_scope"))
                              or default_scope(data),
        "sender_address_inline": address,
        "signature_caption": "(podpis osoby udzielającej upoważnienia)" if own else "(podpis nadawcy)",
    }


def example() -> dict[str, Any]:
    """Tomasz Zawadzki asks the housing cooperative to spread the rent arrears (talked over at the visit
    of 16 November 2026); the assistant files the letter for him."""
    return {
        "sender_name": "Tomasz Zawadzki",
        "sender_sex": "M",
        "sender_address": "ul. Leśna 12 m. 4\n11-440 Lipowiec Mazurski",
        "sender_phone": "605 214 377",
        "addressee_name": "Spółdzielnia Mieszkaniowa „Jutrzenka” w Lipowcu Mazurskim",
        "addressee_address": "ul. Spółdzielcza 3\n11-440 Lipowiec Mazurski",
        "kind": "rozlozenie_na_raty",
        "title": "Wniosek o rozłożenie zadłużenia na raty",
        "body": "Zwracam się z uprzejmą prośbą o rozłożenie na 12 miesięcznych rat zadłużenia z tytułu opłat "
                "za lokal przy ul. Leśnej 12 m. 4 w Lipowcu Mazurskim w łącznej kwocie 4 320,00 zł.\n"
                "\n"
                "Uzasadnienie: zadłużenie powstało od maja do września 2026 r., kiedy oboje z żoną "
                "pozostawaliśmy bez stałej pracy. Obecnie pracuję dorywczo, a żona zarejestrowała się "
                "w Powiatowym Urzędzie Pracy i od grudnia rozpocznie kurs zawodowy. Dochód mojego gospodarstwa "
                "domowego wynosi obecnie ok. 3 400 zł miesięcznie, co nie pozwala spłacić całej kwoty "
                "jednorazowo. Mogę spłacać zadłużenie w ratach po 360 zł miesięcznie, od grudnia 2026 r., "
                "płatnych do 15. dnia każdego miesiąca, niezależnie od bieżących opłat.\n"
                "\n"
                "Uprzejmie proszę o pozytywne rozpatrzenie wniosku.",
        "attachments": [
            {"name": "Oświadczenie o dochodach gospodarstwa domowego"},
            {"name": "Kopia zaświadczenia o rejestracji w Powiatowym Urzędzie Pracy (Anna Zawadzka)"},
        ],
        "on_behalf": True,
        "authorised_name": "Ewa Kalinowska",
        "authorised_id": "dowód osobisty AYK 203948",
        "sender_id": "dowód osobisty ABS 524317",
        "authorisation_scope": "złożenia w moim imieniu w Spółdzielni Mieszkaniowej „Jutrzenka” wniosku "
                               "o rozłożenie zadłużenia na raty wraz z załącznikami oraz odbioru "
                               "korespondencji w tej sprawie",
        "place": "Lipowiec Mazurski",
        "document_date": "2026-11-20",
    }


LETTER = DocType(
    id="letter",
    title="Pismo (wniosek, podanie, odwołanie)",
    sections=SECTIONS,
    rules=RULES,
    template="letter.docx",
    example=example,
    derive=derive,
    fill_in=fill_in,
    file_stem="pismo",
    # the family member's own letter: no office number; the file is named after the sender only
    in_case_file=False,
    leaves_office=True,
    file_name="Pismo_{sender_name}",
    print_checks=PRINT_CHECKS,
)
