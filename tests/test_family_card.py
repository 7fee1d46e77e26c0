"""The family card keeps the name in the genitive as documents need it, and a person's sex, on SQLite
and PostgreSQL: the program's suggestion follows the name, the assistant's correction stays."""
from __future__ import annotations

from docgen.store import users
from docgen.store.documents import case_facts
from docgen.store.families import apply_family_data, family_to_data
from docgen.store.models import ROLE_ASSISTANT, Family, Office

MEMBER = {"first_name": "Kacper", "last_name": "Nowak", "birth_date": "2018-11-07", "pesel": None, "sex": "M",
          "relation": "dziecko", "in_household": True, "took_part": False, "foster_care": False}


def _family(session):
    office = Office(name="Gminny Ośrodek Pomocy Społecznej w Brzozówce", address="ul. Szkolna 1, 11-500 Brzozówka",
                    city="Brzozówka", case_prefix="GOPS.AR")
    session.add(office)
    session.flush()
    assistant = users.create_user(session, office, "ewa", "Ewa Kalinowska", ROLE_ASSISTANT, "hasło-testowe-1")
    family = Family(office=office, assistant=assistant)
    apply_family_data(family, {"family_name": "Nowakowie", "address": "ul. Lipowa 2", "members": [MEMBER]})
    session.add(family)
    session.commit()
    return family, assistant


def _saved(session, family: Family, **changes) -> Family:
    apply_family_data(family, {**family_to_data(family), **changes})
    session.commit()
    session.expire_all()
    return session.get(Family, family.id)


def test_the_genitive_is_suggested_kept_when_corrected_and_follows_a_new_name(db_session):
    family, assistant = _family(db_session)
    assert family.family_name_gen == "Nowaków"
    assert db_session.get(Family, family.id).members[0].sex == "M"
    # a new name: the suggestion follows it
    family = _saved(db_session, family, family_name="Nowak-Zielińscy")
    assert family.family_name_gen == "Nowak-Zielińskich"
    # the assistant's correction stays, also through later saves
    family = _saved(db_session, family, family_name_gen="Nowak-Zielińskich (Nowaków)")
    family = _saved(db_session, family, address="ul. Lipowa 3")
    assert family.family_name_gen == "Nowak-Zielińskich (Nowaków)"
    # cleared: suggested again
    family = _saved(db_session, family, family_name_gen="")
    assert family.family_name_gen == "Nowak-Zielińskich"
    # and it is what a new document starts from
    facts = case_facts(family, assistant)
    assert facts["family_name_gen"] == "Nowak-Zielińskich" and facts["members"][0]["sex"] == "M"
