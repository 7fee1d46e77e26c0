"""Polish words for a definition drafted from placeholder names: a label from a name ("data_rozmowy" ->
"Data rozmowy", "imie_nazwisko" -> "Imię nazwisko"), a step's name from its heading, the singular of a
list's name ("uczestnicy" -> "uczestnik"). The admin corrects whatever a draft gets wrong."""
from __future__ import annotations

import re
import unicodedata

# words written in placeholders without their Polish letters
DIACRITICS = {
    "imie": "imię", "imiona": "imiona", "miejscowosc": "miejscowość", "tresc": "treść", "osrodek": "ośrodek",
    "osrodka": "ośrodka", "zrodlo": "źródło", "powod": "powód", "przyczyna": "przyczyna", "wyjasnienie": "wyjaśnienie",
    "zalacznik": "załącznik", "zalaczniki": "załączniki", "dochod": "dochód", "dochody": "dochody", "wplyw": "wpływ",
    "sprawe": "sprawę", "dzien": "dzień", "tydzien": "tydzień", "miesiac": "miesiąc", "rok": "rok",
    "godzina": "godzina", "termin": "termin", "uczestnicy": "uczestnicy", "placowka": "placówka",
    "placowki": "placówki", "szkola": "szkoła", "szkoly": "szkoły", "poradnia": "poradnia", "sad": "sąd",
    "sadu": "sądu", "wydzial": "wydział", "sygnatura": "sygnatura", "swiadczenie": "świadczenie",
    "zasilek": "zasiłek", "kwota": "kwota", "wydatek": "wydatek", "wydatki": "wydatki", "dzialanie": "działanie",
    "dzialania": "działania", "ustalenia": "ustalenia", "ustalen": "ustaleń", "wnioski": "wnioski",
    "zalecenia": "zalecenia", "uwagi": "uwagi", "opis": "opis", "przebieg": "przebieg", "spotkania": "spotkania",
    "spotkanie": "spotkanie", "rozmowa": "rozmowa", "rozmowy": "rozmowy", "wizyta": "wizyta", "wizyty": "wizyty",
    "zrodla": "źródła", "koszt": "koszt", "koszty": "koszty", "oswiadczenie": "oświadczenie", "zgoda": "zgoda",
    "zgody": "zgody", "wycofanie": "wycofanie", "dziecko": "dziecko", "dziecka": "dziecka", "dzieci": "dzieci",
    "matka": "matka", "ojciec": "ojciec", "czlonek": "członek", "czlonkowie": "członkowie", "rodzina": "rodzina",
    "rodziny": "rodziny", "asystent": "asystent", "asystenta": "asystenta", "pracownik": "pracownik",
    "kierownik": "kierownik", "nastepny": "następny", "nastepne": "następne", "nastepnej": "następnej",
    "kolejne": "kolejne", "kroki": "kroki", "zadanie": "zadanie", "zadania": "zadania", "odpowiedzialny": "odpowiedzialny",
    "odpowiedzialna": "odpowiedzialna", "wykonawca": "wykonawca", "cel": "cel", "cele": "cele", "efekt": "efekt",
    "sposob": "sposób", "forma": "forma", "miejsce": "miejsce", "adres": "adres", "adresat": "adresat",
    "nadawca": "nadawca", "telefon": "telefon", "kontakt": "kontakt", "kontakty": "kontakty", "obecni": "obecni",
    "obecne": "obecne", "osoba": "osoba", "osoby": "osoby", "osob": "osób", "z": "z", "kim": "kim", "o": "o",
    "czym": "czym", "czego": "czego", "dotyczy": "dotyczy", "sprawa": "sprawa", "temat": "temat", "notatka": "notatka",
    "informacja": "informacja", "informacje": "informacje", "prosba": "prośba", "wniosek": "wniosek",
    "podstawa": "podstawa", "prawna": "prawna", "uzasadnienie": "uzasadnienie", "decyzja": "decyzja",
    "ocena": "ocena", "sytuacja": "sytuacja", "sytuacji": "sytuacji", "zdrowie": "zdrowie", "zdrowia": "zdrowia",
    "nauka": "nauka", "frekwencja": "frekwencja", "zachowanie": "zachowanie", "budzet": "budżet",
    "gospodarstwo": "gospodarstwo", "domowe": "domowe", "plan": "plan", "planowane": "planowane",
    "zrealizowane": "zrealizowane", "wykonane": "wykonane", "potrzeby": "potrzeby", "problem": "problem",
    "problemy": "problemy", "mocne": "mocne", "strony": "strony", "zasoby": "zasoby", "obserwacje": "obserwacje",
    "wynik": "wynik", "wyniki": "wyniki", "zmiana": "zmiana", "zmiany": "zmiany", "uczen": "uczeń",
    "klasa": "klasa", "wychowawca": "wychowawca", "lekarz": "lekarz", "pielegniarka": "pielęgniarka",
    "psycholog": "psycholog", "pedagog": "pedagog", "kurator": "kurator", "policja": "policja",
    "podpis": "podpis", "podpisy": "podpisy", "data": "data", "godz": "godz.", "nr": "nr", "urodzenia": "urodzenia",
    "zamieszkania": "zamieszkania", "zamieszkaly": "zamieszkały", "poprzedni": "poprzedni", "ostatni": "ostatni",
    "miedzy": "między", "przez": "przez", "od": "od", "do": "do", "na": "na", "w": "w", "i": "i", "oraz": "oraz",
    "czy": "czy", "ile": "ile", "liczba": "liczba", "ilosc": "ilość", "wartosc": "wartość", "wysokosc": "wysokość",
    "stopien": "stopień", "rodzaj": "rodzaj", "typ": "typ", "zrodlem": "źródłem", "dostep": "dostęp",
    "odbiorca": "odbiorca", "odbiorcy": "odbiorcy", "cele_przetwarzania": "cele przetwarzania",
    "przetwarzania": "przetwarzania", "danych": "danych", "dane": "dane", "osobowych": "osobowych",
    "inspektor": "inspektor", "inspektora": "inspektora", "okres": "okres", "przechowywania": "przechowywania",
    "prawa": "prawa", "skarga": "skarga", "wspolpraca": "współpraca", "wspolpracy": "współpracy",
    "konsekwencje": "konsekwencje", "skutki": "skutki", "pouczenie": "pouczenie", "przyjal": "przyjął",
    "przyjela": "przyjęła", "odebral": "odebrał", "odebrala": "odebrała", "sporzadzil": "sporządził",
    "sporzadzila": "sporządziła", "sporzadzenia": "sporządzenia", "wyslania": "wysłania", "odpowiedzi": "odpowiedzi",
    "zakres": "zakres", "cel_pisma": "cel pisma", "pisma": "pisma", "pismo": "pismo", "instytucja": "instytucja",
    "instytucji": "instytucji", "numer": "numer", "ulica": "ulica", "kod": "kod", "pocztowy": "pocztowy",
    "gmina": "gmina", "powiat": "powiat", "wojewodztwo": "województwo",
}

# a list's name -> what one of its rows is called ("+ Dodaj: uczestnik")
SINGULAR = {
    "uczestnicy": "uczestnik", "osoby": "osoba", "obecni": "osoba", "dzieci": "dziecko", "zadania": "zadanie",
    "kontakty": "kontakt", "cele": "cel", "dzialania": "działanie", "spotkania": "spotkanie",
    "zalaczniki": "załącznik", "wydatki": "wydatek", "dochody": "dochód", "wizyty": "wizyta", "punkty": "punkt",
    "ustalenia": "ustalenie", "kroki": "krok", "terminy": "termin", "problemy": "problem", "instytucje": "instytucja",
    "placowki": "placówka", "czlonkowie": "członek rodziny", "pozycje": "pozycja", "rozmowy": "rozmowa",
    "zalecenia": "zalecenie", "wnioski": "wniosek", "uwagi": "uwaga", "dokumenty": "dokument",
    "przedmioty": "przedmiot", "oceny": "ocena", "nieobecnosci": "nieobecność", "koszty": "koszt",
    "rachunki": "rachunek", "raty": "rata", "podpisy": "podpis", "sygnatariusze": "osoba podpisująca",
}

_NUMBERING = re.compile(r"^\s*(?:§\s*)?(?:\d{1,3}|[IVXLC]{1,6}|[a-z])(?:\.\d{1,3})*[.)]\s+")
_FOLD = str.maketrans({"ł": "l", "Ł": "L"})


def words_of(name: str) -> list[str]:
    """'dataRozmowy' / 'data_rozmowy' / 'data-rozmowy' -> ['data', 'rozmowy']"""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return [word.lower() for word in re.split(r"[_\W]+", spaced) if word]


def label_of(name: str) -> str:
    """A Polish label drafted from a placeholder's name."""
    words = [DIACRITICS.get(word, word) for word in words_of(name)]
    text = " ".join(words) or name
    return text[:1].upper() + text[1:]


def heading_title(heading: str) -> str:
    """'2. Ustalenia' -> 'Ustalenia': a step's title from a numbered heading."""
    title = _NUMBERING.sub("", heading).strip()
    return title or heading.strip()


def ascii_name(text: str, limit: int = 40) -> str:
    """'Dalsze działania' -> 'dalsze_dzialania': a name from Polish text."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    name = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:limit].strip("_")
    if not name or not name[0].isalpha():
        name = ("k_" + name)[:limit].strip("_")
    return name


def singular(name: str) -> str:
    words = words_of(name)
    return SINGULAR.get(words[-1], "pozycja") if words else "pozycja"
