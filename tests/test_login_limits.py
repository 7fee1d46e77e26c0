"""Login throttling counts wrong passwords only: per account (from any address) and per address
(for any account). Colleagues behind one office NAT all log in with their right passwords.
The limits are small here so that the test runs quickly; the defaults are 5 and 30 a minute."""
from __future__ import annotations

import pytest

WRONG = "zle-haslo-1234"
OFFICE = {"REMOTE_ADDR": "192.0.2.10"}  # everyone behind the office's NAT
ELSEWHERE = {"REMOTE_ADDR": "198.51.100.7"}


@pytest.fixture
def limited(web_db):
    from conftest import _app

    return _app(web_db, WTF_CSRF_ENABLED=False, LOGIN_RATE_LIMIT="2 per minute",
                LOGIN_RATE_LIMIT_PER_ADDRESS="3 per minute")


def _login(app, username, password, where=OFFICE):
    return app.test_client().post("/login", data={"username": username, "password": password},
                                  environ_base=where).status_code


def test_right_passwords_from_one_address_never_use_up_the_allowance(limited, demo_password):
    statuses = [_login(limited, username, demo_password)
                for _ in range(3) for username in ("asystent1", "asystent2", "kierownik")]
    assert statuses == [302] * 9


def test_wrong_passwords_lock_the_account_from_everywhere_and_not_the_colleagues(limited, demo_password):
    assert [_login(limited, "asystent1", WRONG) for _ in range(2)] == [200, 200]
    # the right password does not get in while the account is locked, from any address
    assert _login(limited, "asystent1", demo_password) == 429
    assert _login(limited, "Asystent1 ", demo_password, ELSEWHERE) == 429
    # a colleague at the same PC is not held up by it
    assert _login(limited, "asystent2", demo_password) == 302


def test_wrong_passwords_from_one_address_lock_that_address_only(limited, demo_password):
    assert [_login(limited, name, WRONG) for name in ("ktos1", "ktos2", "ktos3")] == [200, 200, 200]
    response = limited.test_client().post("/login", data={"username": "kierownik", "password": demo_password},
                                          environ_base=OFFICE)
    assert response.status_code == 429
    assert "Zbyt wiele prób logowania" in response.text and "Odczekaj minutę" in response.text
    assert _login(limited, "kierownik", demo_password, ELSEWHERE) == 302


def test_guessing_the_current_password_locks_that_user_not_the_office(limited, demo_password):
    def change(username, current):
        client = limited.test_client()
        assert client.post("/login", data={"username": username, "password": demo_password},
                           environ_base=OFFICE).status_code == 302
        return client.post("/konto/haslo", data={"current_password": current, "new_password": "Jesienne-Liscie-77",
                                                  "new_password_repeat": "Jesienne-Liscie-77"},
                           environ_base=OFFICE).status_code

    assert [change("asystent1", WRONG) for _ in range(3)] == [200, 200, 429]
    assert change("asystent2", demo_password) == 302
