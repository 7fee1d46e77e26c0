"""The templates of the types shipped as data (docgen/custom/shipped/), laid out by hand in the office
format: letterhead, title, numbered sections, signatures.

Their definitions are data an office may edit; these are only the first templates. Every heading is the
step's `heading` of the definition (the .docx check and the template check look for exactly that), and
every signer's words are the same for a woman and a man: "Oświadczam, że wycofuję", "Potwierdzam
otrzymanie", never "wycofał(a)". Where several people sign, the template speaks in the plural.
"""
from __future__ import annotations

from typing import Callable

from docx.document import Document as DocumentObject
from docx.table import _Cell

from docgen.custom.shipped import shipped_types
from docgen.definition import DocType, Signature

from .blocks import (field_line, header_row, heading, keep_with_next, letterhead, loop_rows, loop_rows_count, para,
                     table, tag, title)
from .generic import signature_blocks
from .styles import DOTS, new_document

ACT = "ustawy z dnia 9 czerwca 2011 r. o wspieraniu rodziny i systemie pieczy zastępczej"
RODO = "rozporządzenia Parlamentu Europejskiego i Rady (UE) 2016/679 (RODO)"
NOT_GIVEN = "Nie ustalono dalszych działań."


def _check(doctype: DocType, sections: list[str]) -> None:
    found = [section.name for section in doctype.sections]
    if found != sections:
        raise SystemExit(f"{doctype.id}: steps changed ({found}); update tools/docxbuild/office_types.py")


def _signer_lines(document: DocumentObject, rows: str, caption: str) -> None:
    """One signature line per row of `rows`, two by two, each captioned with the person's name."""
    tbl = table(document, (8.0, 8.0), "LayoutTable", rows=3)

    def row(cells: list[_Cell]) -> None:
        left, right = cells
        para(left, "SignatureLine", DOTS, first=True)
        para(left, "SignatureCaption", f"({caption} – {{{{ pair[0].first_name }}}} {{{{ pair[0].last_name }}}})")
        tag(right, "{%p if pair|length > 1 %}", first=True)
        para(right, "SignatureLine", DOTS)
        para(right, "SignatureCaption", f"({caption} – {{{{ pair[1].first_name }}}} {{{{ pair[1].last_name }}}})")
        tag(right, "{%p else %}")
        para(right, "TableText")
        tag(right, "{%p endif %}")

    loop_rows(tbl, 0, f"{{%tr for pair in {rows}|batch(2) %}}", row)
    keep_with_next(*(cell for row_ in tbl.rows for cell in row_.cells))


def _people_table(document: DocumentObject, rows: str, columns: tuple[tuple[str, str, float], ...]) -> None:
    tbl = table(document, [width for _, _, width in columns], "PlanTable", rows=1 + loop_rows_count(False))
    header_row(tbl, [label for label, _, _ in columns])

    def row(cells: list[_Cell]) -> None:
        for cell, (_, value, _) in zip(cells, columns):
            para(cell, "TableText", value, first=True)

    loop_rows(tbl, 1, f"{{%tr for r in {rows} %}}", row)


# --- Notatka służbowa ----------------------------------------------------------------------

def build_notatka(doctype: DocType) -> DocumentObject:
    _check(doctype, ["okolicznosci", "ustalenia", "dalsze_dzialania", "podpis"])
    document = new_document(doctype.title)
    letterhead(document)
    title(document, doctype)
    heading(document, doctype, "okolicznosci")
    para(document, "BodyText", "Notatka dotyczy rodziny {{ family_name_gen }}, {{ address }}.")
    field_line(document, "Data", "{{ event_date }}")
    field_line(document, "Forma kontaktu",
               '{{ event_form_other if event_form_other and event_form == "inna forma" else event_form }}')
    field_line(document, "Z kim", "{{ participants }}")
    field_line(document, "Sprawa", "{{ subject }}")
    heading(document, doctype, "ustalenia")
    para(document, "BodyText", "{{ findings }}")
    heading(document, doctype, "dalsze_dzialania")
    tag(document, "{%p if next_steps %}")
    tbl = table(document, (9.0, 4.5, 2.5), "PlanTable", rows=1 + loop_rows_count(True))
    header_row(tbl, ("Działanie", "Kto wykonuje", "Termin"))

    def row(cells: list[_Cell]) -> None:
        para(cells[0], "TableText", "{{ r.task }}", first=True)
        para(cells[1], "TableText", "{{ r.who }}", first=True)
        para(cells[2], "TableText", "{{ r.deadline|data_krotka }}", first=True)

    loop_rows(tbl, 1, "{%tr for r in next_steps %}", row, keep_last=True)
    tag(document, "{%p else %}")
    keep_with_next(para(document, "BodyText", NOT_GIVEN))
    tag(document, "{%p endif %}")
    signature_blocks(document, (Signature("Asystent rodziny", name="assistant_name"),), set())
    para(document, "EndMark")
    return document


# --- Pismo asystenta rodziny do instytucji ----------------------------------------------------

def build_pismo(doctype: DocType) -> DocumentObject:
    _check(doctype, ["adresat", "osoba", "zakres", "ochrona_danych", "podpis"])
    document = new_document(doctype.title)
    letterhead(document)
    para(document, "Addressee", "{{ addressee_name|bez_sierotek }}")
    para(document, "AddresseeAddress", "{{ addressee_address|bez_sierotek }}")
    para(document, "Title", "PROŚBA O UDZIELENIE INFORMACJI")
    para(document, "Subtitle", f"(art. 15 ust. 1 pkt 18 i ust. 2 {ACT})")
    para(document, "BodyText", "Jako asystent rodziny {{ family_name_gen }} zwracam się z prośbą o udzielenie "
                               "informacji dotyczących osoby wskazanej w punkcie 1, w zakresie opisanym w punkcie 2.")
    heading(document, doctype, "osoba")
    field_line(document, "Imię i nazwisko", "{{ person_name }}")
    tag(document, "{%p if person_birth_date %}")
    field_line(document, "Data urodzenia", "{{ person_birth_date }}")
    tag(document, "{%p endif %}")
    heading(document, doctype, "zakres")
    para(document, "FieldLine", ("Proszę o informacje:", "Strong")).paragraph_format.keep_with_next = True
    para(document, "BodyText", "{{ requested_info }}")
    para(document, "FieldLine", ("Cel:", "Strong")).paragraph_format.keep_with_next = True
    para(document, "BodyText", "{{ purpose }}")
    tag(document, "{%p if reply_by %}")
    para(document, "BodyText", "Uprzejmie proszę o odpowiedź do dnia {{ reply_by }}")
    tag(document, "{%p endif %}")
    heading(document, doctype, "ochrona_danych")
    para(document, "BodyText", "Asystent rodziny współpracuje z instytucjami i osobami działającymi na rzecz dziecka "
                               "i rodziny (art. 15 ust. 1 pkt 18 ustawy), a one udzielają mu odpowiedniej pomocy "
                               "w wykonywaniu czynności zawodowych (art. 15 ust. 2 ustawy).")
    tag(document, "{%p if consent_attached %}")
    para(document, "BodyText", "Do pisma dołączam pisemną zgodę osoby, której dotyczą informacje (albo jej "
                               "przedstawiciela ustawowego), z dnia {{ consent_date }}")
    tag(document, "{%p endif %}")
    para(document, "BodyText", "Przekazane informacje zostaną wykorzystane wyłącznie do wykonania zadań asystenta "
                               "rodziny określonych w art. 15 ust. 1 ustawy. Administratorem danych osobowych "
                               "przekazanych w odpowiedzi jest {{ office.name }}; dane będą przetwarzane na podstawie "
                               f"art. 6 ust. 1 lit. c i e oraz art. 9 ust. 2 lit. b i g {RODO}, tylko w zakresie "
                               "niezbędnym do tego celu, i nie zostaną udostępnione osobom nieuprawnionym. Proszę "
                               "o przekazanie wyłącznie informacji niezbędnych do tego celu, w zamkniętej kopercie "
                               "albo bezpieczną drogą elektroniczną.")
    tag(document, "{%p if assistant_contact %}")
    keep_with_next(para(document, "BodyText", "Kontakt z asystentem rodziny: {{ assistant_contact }}."))
    tag(document, "{%p endif %}")
    signature_blocks(document, (Signature("Asystent rodziny", name="assistant_name"),), set())
    para(document, "EndMark")
    return document


# --- Informacja o przetwarzaniu danych osobowych (art. 13 RODO) -------------------------------

RODO_SECTIONS = (
    ("1. Administrator danych",
     "Administratorem danych osobowych członków rodziny jest {{ office.name }}, {{ office.address }}"
     "{% if office.phone %}, tel. {{ office.phone }}{% endif %}{% if office.email %}, e-mail: {{ office.email }}"
     "{% endif %}."),
    None,  # 2. Inspektor ochrony danych: a step of the definition
    ("3. Cele i podstawy przetwarzania",
     "Dane osobowe są przetwarzane w celu wykonania zadań asystenta rodziny i ośrodka określonych w " + ACT
     + " (w szczególności w art. 15), w tym prowadzenia dokumentacji pracy z rodziną, na podstawie art. 6 ust. 1 "
       "lit. c RODO (obowiązek prawny administratora) oraz – gdy dotyczą zdrowia lub innych szczególnych kategorii "
       "danych – art. 9 ust. 2 lit. b i g RODO."),
    ("4. Odbiorcy danych",
     "Dane mogą być przekazywane wyłącznie podmiotom uprawnionym na podstawie przepisów prawa, w szczególności "
     "sądowi, pracownikowi socjalnemu, koordynatorowi rodzinnej pieczy zastępczej i zespołowi interdyscyplinarnemu, "
     "a także podmiotom, które przetwarzają dane na zlecenie ośrodka na podstawie umowy powierzenia (np. dostawcy "
     "systemu informatycznego). Dane nie są przekazywane do państw spoza Europejskiego Obszaru Gospodarczego."),
    ("5. Okres przechowywania",
     "Dane są przechowywane przez czas pracy asystenta z rodziną, a następnie przez okres wynikający z przepisów "
     "o narodowym zasobie archiwalnym i archiwach oraz z jednolitego rzeczowego wykazu akt ośrodka."),
    ("6. Prawa osób, których dane dotyczą",
     "Każdej osobie przysługuje prawo dostępu do swoich danych (art. 15 RODO), ich sprostowania (art. 16 RODO) "
     "i ograniczenia przetwarzania (art. 18 RODO), a w przypadkach określonych w RODO także prawo do usunięcia "
     "danych (art. 17 RODO) i wniesienia sprzeciwu (art. 21 RODO). Każdej osobie przysługuje prawo wniesienia skargi "
     "do Prezesa Urzędu Ochrony Danych Osobowych (ul. Stawki 2, 00-193 Warszawa), jeżeli uzna, że przetwarzanie jej "
     "danych narusza przepisy RODO."),
    ("7. Podanie danych",
     "Podanie danych jest niezbędne do współpracy z asystentem rodziny, którą rodzina podejmuje dobrowolnie. Dane "
     "nie służą do zautomatyzowanego podejmowania decyzji, w tym do profilowania."),
)


def build_informacja_rodo(doctype: DocType) -> DocumentObject:
    _check(doctype, ["rodzina", "inspektor", "osoby", "przekazanie"])
    document = new_document(doctype.title)
    letterhead(document)
    title(document, doctype)
    para(document, "BodyText", "Ośrodek przekazuje członkom rodziny {{ family_name_gen }} ({{ address }}), "
                               "z którą pracuje asystent rodziny, informacje o przetwarzaniu ich danych osobowych.")
    for section in RODO_SECTIONS:
        if section is None:
            heading(document, doctype, "inspektor")
            para(document, "BodyText", "Z inspektorem ochrony danych można się kontaktować we wszystkich sprawach "
                                       "dotyczących przetwarzania danych osobowych i korzystania z praw z nim "
                                       "związanych: {{ dpo_contact }}.")
            continue
        text, body = section
        para(document, "Heading1", text)
        para(document, "BodyText", body)
    heading(document, doctype, "osoby")
    keep_with_next(para(document, "BodyText", "{% if recipients|length > 1 %}Potwierdzamy{% else %}Potwierdzam"
                                              "{% endif %} otrzymanie powyższej informacji."))
    _signer_lines(document, "recipients", "data i podpis")
    signature_blocks(document, (Signature("Informację przekazuje asystent rodziny", name="assistant_name"),), set())
    para(document, "EndMark")
    return document


# --- Oświadczenie o wycofaniu zgody na współpracę ---------------------------------------------

def build_wycofanie(doctype: DocType) -> DocumentObject:
    _check(doctype, ["rodzina", "osoby", "oswiadczenie", "przyjecie"])
    document = new_document(doctype.title)
    letterhead(document)
    para(document, "Title", "OŚWIADCZENIE O WYCOFANIU ZGODY NA WSPÓŁPRACĘ Z ASYSTENTEM RODZINY")
    para(document, "Subtitle", doctype.legal_basis)
    heading(document, doctype, "rodzina")
    field_line(document, "Nazwisko rodziny", "{{ family_name }}")
    field_line(document, "Adres zamieszkania", "{{ address }}")
    heading(document, doctype, "osoby")
    _people_table(document, "persons", (("Imię", "{{ r.first_name }}", 5.5), ("Nazwisko", "{{ r.last_name }}", 5.5),
                                        ("Rola w rodzinie", "{{ r.relation }}", 5.0)))
    heading(document, doctype, "oswiadczenie")
    para(document, "BodyText", "{% if persons|length > 1 %}Oświadczamy, że wycofujemy{% else %}Oświadczam, że "
                               "wycofuję{% endif %} zgodę na współpracę rodziny {{ family_name_gen }} z asystentem "
                               "rodziny, wyrażoną dnia {{ consent_date }}, z dniem {{ withdrawal_date }}")
    para(document, "BodyText", "{% if persons|length > 1 %}Przyjmujemy{% else %}Przyjmuję{% endif %} do "
                               "wiadomości, że praca z rodziną jest prowadzona za jej zgodą i z jej aktywnym "
                               f"udziałem (art. 8 ust. 3 {ACT}), więc z tym dniem asystent kończy pracę z rodziną. "
                               "Jeżeli sąd zobowiązał rodzinę do współpracy z asystentem rodziny, wycofanie zgody "
                               "nie zwalnia z obowiązku wynikającego z postanowienia sądu. Rodzina może w każdej "
                               "chwili ponownie zwrócić się do ośrodka o wsparcie asystenta rodziny.")
    tag(document, "{%p if reason %}")
    para(document, "FieldLine", ("Przyczyna podana przez rodzinę:", "Strong")).paragraph_format.keep_with_next = True
    para(document, "BodyText", "{{ reason }}")
    tag(document, "{%p endif %}")
    keep_with_next(para(document, "SignatureGroup", "{% if persons|length > 1 %}Podpisy osób wycofujących zgodę"
                                                    "{% else %}Podpis osoby wycofującej zgodę{% endif %}:"))
    _signer_lines(document, "persons", "data i podpis")
    signature_blocks(document, (Signature("Oświadczenie przyjmuje asystent rodziny", name="assistant_name"),), set())
    para(document, "EndMark")
    return document


BUILDERS: dict[str, Callable[[DocType], DocumentObject]] = {
    "notatka_sluzbowa": build_notatka,
    "pismo_do_instytucji": build_pismo,
    "informacja_rodo": build_informacja_rodo,
    "wycofanie_zgody": build_wycofanie,
}


def office_type_builders() -> dict[str, Callable[[], DocumentObject]]:
    """templates_docx/<id>.docx -> its builder, for every shipped type."""
    return {doctype.template: (lambda doctype=doctype: BUILDERS[doctype.id](doctype))
            for doctype in shipped_types().values()}
