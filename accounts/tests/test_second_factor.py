"""The TOTP second factor: required for administrators and dispatchers, optional for others;
enrolment with a QR code, the verification step, backup codes, the administrator's reset."""

import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityAction, SecurityEvent


@pytest.fixture(autouse=True)
def _required(settings):  # type: ignore[no-untyped-def]
    settings.OTP_REQUIRED_ROLES = ["admin", "dispatcher"]


def code(device: TOTPDevice, ahead: int = 0) -> str:
    """The phone's code, `ahead` steps later (a code is accepted once, so a second login in
    the same 30 seconds uses the next one, within the device's tolerance)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def password_login(username: str) -> Client:
    c = Client()
    r = c.post("/login/", {"username": username, "password": "pw-" + username})
    assert r.status_code == 302, r.content.decode()[:500]
    return c


def enrol(c: Client, user) -> list[str]:  # type: ignore[no-untyped-def]
    r = c.get("/account/otp/setup/")
    assert r.status_code == 200 and "<svg" in r.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    r = c.post("/account/otp/setup/", {"code": code(device), "next": "/dispatch/"})
    assert r.status_code == 200
    return [
        li.split("</li>")[0]
        for li in r.content.decode().split('id="backup-codes">')[1].split("<li>")[1:]
    ]


def test_a_dispatcher_must_enrol_then_verify_at_each_login(world):  # type: ignore[no-untyped-def]
    disp = world.users["dispatcher"]
    c = password_login("disp")
    r = c.get("/dispatch/")
    assert r.status_code == 302 and r["Location"].startswith("/account/otp/setup/?next=/dispatch/")
    # Nothing else is reachable, the API by session neither.
    assert c.get("/demands/").status_code == 302
    assert c.get("/api/v1/me").status_code == 403
    page = c.get("/account/otp/setup/").content.decode()
    assert "绑定手机验证器" in page and "<svg" in page and "必须进行二次验证" in page
    device = TOTPDevice.objects.get(user=disp, confirmed=False)
    r = c.post("/account/otp/setup/", {"code": "000000"})
    assert r.status_code == 422 and "验证码不正确" in r.content.decode()
    r = c.post("/account/otp/setup/", {"code": code(device), "next": "/dispatch/"})
    body = r.content.decode()
    assert r.status_code == 200 and "备用验证码" in body
    assert StaticToken.objects.filter(device__user=disp).count() == 10
    assert c.get("/dispatch/").status_code == 200
    assert SecurityEvent.objects.filter(action=SecurityAction.OTP_ENROLLED, user=disp).exists()

    # The next login asks for the code after the password.
    c2 = password_login("disp")
    r = c2.get("/dispatch/")
    assert r.status_code == 302 and r["Location"].startswith("/account/otp/verify/")
    # With the password alone the phone cannot be replaced.
    assert c2.get("/account/otp/setup/")["Location"].startswith("/account/otp/verify/")
    r = c2.post("/account/otp/verify/", {"code": "123456", "next": "/dispatch/"})
    assert r.status_code == 422 and "验证码不正确" in r.content.decode()
    # Guessing is slowed down: right after a failure every device waits, and says so.
    r = c2.post("/account/otp/verify/", {"code": "654321", "next": "/dispatch/"})
    assert r.status_code == 422 and "错误次数过多" in r.content.decode()
    from django_otp.plugins.otp_static.models import StaticDevice

    for model in (TOTPDevice, StaticDevice):  # a minute later
        model.objects.filter(user=disp).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )
    device.refresh_from_db()
    r = c2.post("/account/otp/verify/", {"code": code(device, ahead=1), "next": "/dispatch/"})
    assert r.status_code == 302 and r["Location"] == "/dispatch/"
    assert c2.get("/dispatch/").status_code == 200


def test_a_backup_code_gets_in_once(world):  # type: ignore[no-untyped-def]
    disp = world.users["dispatcher"]
    codes = enrol(password_login("disp"), disp)
    assert len(codes) == 10
    c = password_login("disp")
    r = c.post("/account/otp/verify/", {"code": codes[0], "next": "/dispatch/"})
    assert r.status_code == 302
    assert "还剩 9 个" in c.get("/dispatch/").content.decode()
    again = password_login("disp")
    assert again.post("/account/otp/verify/", {"code": codes[0]}).status_code == 422
    assert StaticToken.objects.filter(device__user=disp).count() == 9
    # New codes replace the old ones.
    r = c.post("/account/second-factor/backup-codes/")
    assert r.status_code == 200
    assert not StaticToken.objects.filter(device__user=disp, token=codes[1]).exists()


def test_the_second_factor_is_optional_for_other_roles(world):  # type: ignore[no-untyped-def]
    hand = world.users["handler"]
    c = password_login("hand_a")
    assert c.get("/department/").status_code == 200
    assert "尚未绑定" in c.get("/account/").content.decode()
    enrol(c, hand)
    assert "已绑定" in c.get("/account/").content.decode()
    # Once enrolled, it is asked for at login too.
    c2 = password_login("hand_a")
    assert c2.get("/department/")["Location"].startswith("/account/otp/verify/")
    # An optional user may remove it (after verifying); a dispatcher may not.
    assert c.post("/account/second-factor/remove/").status_code == 302
    assert not TOTPDevice.objects.filter(user=hand).exists()
    assert password_login("hand_a").get("/department/").status_code == 200


def test_a_dispatcher_cannot_remove_the_second_factor(world):  # type: ignore[no-untyped-def]
    c = password_login("disp")
    enrol(c, world.users["dispatcher"])
    assert c.post("/account/second-factor/remove/").status_code == 403
    assert TOTPDevice.objects.filter(user=world.users["dispatcher"], confirmed=True).exists()


def test_the_administrator_resets_a_lost_phone(world, settings):  # type: ignore[no-untyped-def]
    settings.OTP_REQUIRED_ROLES = ["dispatcher"]  # the administrator's own factor is not the point
    disp = world.users["dispatcher"]
    enrol(password_login("disp"), disp)
    admin = Client()
    admin.force_login(world.users["admin"])
    page = admin.get("/manage/security/").content.decode()
    assert "已绑定" in page
    # A reason is required; another park's administrator cannot.
    assert (
        admin.post(f"/manage/security/users/{disp.pk}/reset-otp/", {"reason": ""}).status_code
        == 422
    )
    other = Client()
    other.force_login(world.other_users["admin"])
    r = other.post(f"/manage/security/users/{disp.pk}/reset-otp/", {"reason": "x"})
    assert r.status_code == 404  # another park's account, like any of its objects
    assert TOTPDevice.objects.filter(user=disp).exists()
    r = admin.post(
        f"/manage/security/users/{disp.pk}/reset-otp/", {"reason": "手机遗失，已电话核实"}
    )
    assert r.status_code == 302
    assert not TOTPDevice.objects.filter(user=disp).exists()
    assert not StaticToken.objects.filter(device__user=disp).exists()
    ev = SecurityEvent.objects.get(action=SecurityAction.OTP_RESET)
    assert ev.actor == world.users["admin"] and ev.note == "手机遗失，已电话核实"
    # The dispatcher enrols again at the next login.
    assert password_login("disp").get("/dispatch/")["Location"].startswith("/account/otp/setup/")


def test_administrators_need_it_for_the_django_admin_too(world):  # type: ignore[no-untyped-def]
    c = password_login("admin")
    assert c.get("/admin/")["Location"].startswith("/account/otp/setup/")
    assert c.get("/manage/")["Location"].startswith("/account/otp/setup/")


def test_no_second_factor_when_switched_off(world, settings):  # type: ignore[no-untyped-def]
    settings.OTP_REQUIRED_ROLES = []
    assert password_login("disp").get("/dispatch/").status_code == 200
