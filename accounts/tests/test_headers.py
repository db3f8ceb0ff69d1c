"""HTTPS and the Content-Security-Policy: every main page, as each role, carries the policy and
has no inline script, no on*= handler and no <style> element; `check --deploy` is clean."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from reports.tests.ledger import build
from web.context_processors import NAV

# Pages every logged-in user has, besides the role's navigation.
COMMON = [
    "/",
    "/account/",
    "/account/tokens/",
    "/account/password/",
    "/notifications/",
    "/notifications/preferences/",
]
ADMIN_ONLY = ["/manage/security/", "/manage/tokens/", "/manage/", "/notifications/deliveries/"]


class InlineCode(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {k.lower() for k, _ in attrs}
        data = dict(attrs).get("type") == "application/json"  # json_script: data, never run
        if tag == "script" and "src" not in names and not data:
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        self.found += [f"<{tag} {n}=…>" for n in names if n.startswith("on")]
        self.found += [
            f"<{tag} {k}={v}>"
            for k, v in attrs
            if (v or "").strip().lower().startswith("javascript:")
        ]


def inline_code(html: str) -> list[str]:
    p = InlineCode()
    p.feed(html)
    return p.found


def _pages_for(role: str) -> list[str]:
    from django.urls import reverse

    out = list(COMMON)
    for _label, target, roles in NAV:
        if role in roles:
            out.append(target if target.startswith("/") else reverse(target))
    if role == "admin":
        out += ADMIN_ONLY
    return out


def test_the_detector_sees_inline_code():  # type: ignore[no-untyped-def]
    assert inline_code("<script>alert(1)</script>") == ["<script> without src"]
    assert inline_code('<select onchange="this.form.submit()">') == ["<select onchange=…>"]
    assert inline_code('<a href="javascript:void(0)">') and inline_code("<style>p{}</style>")
    ok = '<script src="/static/x.js" defer></script><p style="width:3%">'
    assert inline_code(ok + '<script type="application/json">{}</script>') == []


@pytest.mark.parametrize(
    "who",
    [
        "dispatcher",
        "handler",
        "head",
        "liaison",
        "leader",
        "enterprise",
        "resident",
        "expert",
        "admin",
    ],
)
def test_every_main_page_has_the_policy_and_no_inline_script(world, who):  # type: ignore[no-untyped-def]
    ledger = build(world)
    user = world.users[who]
    c = Client()
    c.force_login(user)
    pages = _pages_for(user.role)
    pages.append(f"/demands/{ledger.d1.pk}/")
    checked = 0
    for path in pages:
        r = c.get(path, follow=True)
        assert r.status_code in (200, 403, 404), (path, r.status_code)
        if r.status_code != 200 or "text/html" not in r.get("Content-Type", ""):
            continue
        policy = r.get("Content-Security-Policy", "")
        assert (
            "script-src 'self'" in policy
            and "unsafe-inline" not in policy.split("style-src-attr")[0]
        ), (path, policy)
        assert inline_code(r.content.decode()) == [], path
        checked += 1
    assert checked >= len(COMMON)


def test_the_login_and_second_factor_pages_too(world, settings):  # type: ignore[no-untyped-def]
    settings.OTP_REQUIRED_ROLES = ["dispatcher"]
    c = Client()
    r = c.get("/login/")
    assert "Content-Security-Policy" in r and inline_code(r.content.decode()) == []
    c.post("/login/", {"username": "disp", "password": "pw-disp"})
    r = c.get("/account/otp/setup/")
    assert r.status_code == 200 and inline_code(r.content.decode()) == []
    assert "frame-ancestors 'none'" in r["Content-Security-Policy"]


def test_https_redirect_and_hsts_behind_the_proxy(world, settings):  # type: ignore[no-untyped-def]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    c = Client()  # built after the settings: SecurityMiddleware reads them once
    r = c.get("/login/")
    assert r.status_code == 301 and r["Location"] == "https://testserver/login/"
    r = c.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert r.status_code == 200
    assert r["Strict-Transport-Security"].startswith("max-age=31536000")
    assert c.get("/healthz").status_code != 301  # the load balancer asks over plain HTTP


def test_https_is_off_in_debug_and_tests():  # type: ignore[no-untyped-def]
    assert not django_settings.SECURE_SSL_REDIRECT and django_settings.SECURE_HSTS_SECONDS == 0
    assert not django_settings.SESSION_COOKIE_SECURE


def _production_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="qinshang.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="qinshang.example.gov.cn",
        CSRF_TRUSTED_ORIGINS="https://qinshang.example.gov.cn",
    )
    return env


def test_check_deploy_is_clean_with_the_readme_settings():  # type: ignore[no-untyped-def]
    root = Path(django_settings.BASE_DIR)
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues (0 silenced)." in out.stdout
    # The production settings switch HTTPS on by themselves.
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER[0], s.OTP_REQUIRED_ROLES)",
        ],
        cwd=root,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.stdout.split() == [
        "True",
        "31536000",
        "True",
        "True",
        "HTTP_X_FORWARDED_PROTO",
        "['admin',",
        "'dispatcher']",
    ], probe.stderr
