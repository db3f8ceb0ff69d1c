"""The password policy: Django's validators (similarity, length 10, common, numeric), in Chinese."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from demo.seeding import DEMO_ACCOUNTS, DEMO_PASSWORD
from orgs.models import User


def _messages(password: str, user: User | None = None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


@pytest.mark.parametrize("password", ["12345678", "password", "1234567890", "qwertyuiop"])
def test_weak_passwords_are_refused_in_chinese(password):  # type: ignore[no-untyped-def]
    msgs = _messages(password)
    assert msgs, password
    # Every message is Django's zh_Hans translation, not the English original.
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in msgs), msgs


def test_the_messages_name_the_rule():  # type: ignore[no-untyped-def]
    assert any("太短" in m and "10" in m for m in _messages("12345678"))
    assert any("常见" in m for m in _messages("password"))
    assert any("数字" in m for m in _messages("1234567890"))
    user = User(username="zhangwei", full_name="张伟", email="zhangwei@example.cn")
    assert any("相似" in m for m in _messages("zhangwei2026", user))


def test_the_demo_password_meets_the_policy(db):  # type: ignore[no-untyped-def]
    for _role, username, _label in DEMO_ACCOUNTS:
        assert _messages(DEMO_PASSWORD, User(username=username)) == [], username


def test_the_password_page_refuses_a_weak_password(world):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(world.users["handler"])
    r = c.post(
        "/account/password/",
        {"old_password": "pw-hand_a", "new_password1": "12345678", "new_password2": "12345678"},
    )
    body = r.content.decode()
    assert r.status_code == 200 and "太短" in body and "常见" in body
    world.users["handler"].refresh_from_db()
    assert world.users["handler"].check_password("pw-hand_a")
