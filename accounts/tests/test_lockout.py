"""Login throttling: N wrong passwords lock the account (the right one is then refused), many
from one address lock the address; the park administrator or a command lifts it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory

from accounts.lockout import client_ip
from accounts.models import SecurityAction, SecurityEvent


def _login(username: str, password: str, ip: str = "10.1.1.1"):  # type: ignore[no-untyped-def]
    c = Client(REMOTE_ADDR=ip)
    r = c.post("/login/", {"username": username, "password": password})
    return c, r


def _logged_in(c: Client) -> bool:
    return "_auth_user_id" in c.session


def _admin(world, other: bool = False) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login((world.other_users if other else world.users)["admin"])
    return c


def test_wrong_passwords_lock_the_account_and_the_right_one_is_refused(world, settings):  # type: ignore[no-untyped-def]
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _, r = _login("disp", "wrong-password")
        assert r.status_code == 200 and "用户名或密码不正确" in r.content.decode()
    _, r = _login("disp", "wrong-password")
    assert r.status_code == 429
    c, r = _login("disp", "pw-disp")
    body = r.content.decode()
    assert r.status_code == 429 and not _logged_in(c)
    assert "登录已被暂时锁定" in body and "分钟后再试" in body and "登录安全" in body
    # The lock is per account: another account from the same address still logs in.
    c, r = _login("hand_a", "pw-hand_a")
    assert _logged_in(c)
    assert SecurityEvent.objects.filter(action=SecurityAction.LOCKED, username="disp").exists()


def test_park_administrator_unlocks_from_the_page(world, settings):  # type: ignore[no-untyped-def]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login("disp", "nope-nope")
    admin = _admin(world)
    page = admin.get("/manage/security/").content.decode()
    assert "账号 disp" in page
    # Another park's administrator may not lift this park's lock.
    r = _admin(world, other=True).post("/manage/security/unlock/", {"username": "disp"})
    assert r.status_code == 422
    assert _login("disp", "pw-disp")[1].status_code == 429
    r = admin.post("/manage/security/unlock/", {"username": "disp"})
    assert r.status_code == 302
    c, _ = _login("disp", "pw-disp")
    assert _logged_in(c)
    ev = SecurityEvent.objects.get(action=SecurityAction.UNLOCKED)
    assert ev.actor == world.users["admin"] and ev.user == world.users["dispatcher"]


def test_unlock_by_command(world, settings):  # type: ignore[no-untyped-def]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login("leader", "nope-nope")
    assert _login("leader", "pw-leader")[1].status_code == 429
    out = StringIO()
    call_command("axes_reset_username", "leader", stdout=out)
    assert "removed" in out.getvalue()
    assert _logged_in(_login("leader", "pw-leader")[0])


def test_many_failures_from_one_address_lock_the_address(world, settings):  # type: ignore[no-untyped-def]
    # Different accounts, each below its own limit, all from one address.
    names = ["ent", "ent2", "resident", "expert", "hand_b", "hand_c", "liaison", "liaison2"]
    for i in range(settings.AXES_IP_FAILURE_LIMIT):
        _login(names[i % len(names)], "wrong-password", ip="10.9.9.9")
    c, r = _login("head_a", "pw-head_a", ip="10.9.9.9")
    assert r.status_code == 429 and not _logged_in(c)
    assert "网络地址（10.9.9.9）" in r.content.decode()
    admin = _admin(world)
    assert "地址 10.9.9.9" in admin.get("/manage/security/").content.decode()
    # The accounts themselves are not locked: from another address they log in.
    assert _logged_in(_login("hand_b", "pw-hand_b", ip="10.9.9.10")[0])
    admin.post("/manage/security/unlock/", {"ip": "10.9.9.9"})
    assert _logged_in(_login("head_a", "pw-head_a", ip="10.9.9.9")[0])


def test_only_administrators_open_the_security_page(world):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(world.users["dispatcher"])
    assert c.get("/manage/security/").status_code == 403
    assert c.post("/manage/security/unlock/", {"username": "disp"}).status_code == 403


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "127.0.0.1"),  # no proxy: the header is the client's own claim
        (1, "6.6.6.6, 10.0.0.7", "10.0.0.7"),  # the entry the proxy appended
        (2, "6.6.6.6, 10.0.0.7, 10.0.0.1", "10.0.0.7"),
        (1, "", "127.0.0.1"),
    ],
)
def test_client_address_behind_a_proxy(settings, count, forwarded, expected):  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
