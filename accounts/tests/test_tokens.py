"""API tokens: expiry, read/write scope, listing and revocation by the user and by the park
administrator, revoked on a password change; the issue_token options."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from conftest import ApiClient
from orgs.models import ApiToken, TokenScope


def _page(world, who: str, other: bool = False) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login((world.other_users if other else world.users)[who])
    return c


def test_a_token_expires(world, settings):  # type: ignore[no-untyped-def]
    raw = ApiToken.issue(world.users["handler"], "x")
    row = ApiToken.objects.get(key_hash=ApiToken.hash(raw))
    assert row.expires_at - timezone.now() > timedelta(days=settings.API_TOKEN_DAYS - 1)
    api = ApiClient(raw)
    assert api.get("/me").status_code == 200
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    r = api.get("/me")
    assert r.status_code == 401 and "未认证" in r.json()["detail"]


def test_a_read_token_may_not_post(world):  # type: ignore[no-untyped-def]
    read = ApiClient(ApiToken.issue(world.users["enterprise"], "r", scope=TokenScope.READ))
    assert read.get("/demands").status_code == 200
    r = read.post("/demands", {"title": "只读令牌提交", "content": "不应成功"})
    assert r.status_code == 403 and "只读令牌" in r.json()["detail"]
    from demands.models import Demand

    assert not Demand.objects.filter(title="只读令牌提交").exists()
    # A revoke is a write too.
    mine = ApiToken.objects.filter(user=world.users["enterprise"]).first()
    assert read.post(f"/tokens/{mine.pk}/revoke").status_code == 403


def test_a_password_change_revokes_every_token(world):  # type: ignore[no-untyped-def]
    user = world.users["handler"]
    apis = [ApiClient(ApiToken.issue(user, f"t{i}")) for i in range(2)]
    other = ApiClient(ApiToken.issue(world.users["head"], "other"))
    c = _page(world, "handler")
    r = c.post(
        "/account/password/",
        {
            "old_password": "pw-hand_a",
            "new_password1": "Qs-新密码-2026-xyz",
            "new_password2": "Qs-新密码-2026-xyz",
        },
    )
    assert r.status_code == 302
    assert c.get("/account/").status_code == 200  # the session survives the change
    for api in apis:
        assert api.get("/me").status_code == 401
    assert other.get("/me").status_code == 200
    assert set(ApiToken.objects.filter(user=user).values_list("revoke_reason", flat=True)) == {
        "修改密码后自动吊销"
    }


def test_saving_a_user_without_a_new_password_keeps_the_tokens(world):  # type: ignore[no-untyped-def]
    user = world.users["handler"]
    api = ApiClient(ApiToken.issue(user, "t"))
    user.full_name = "新名字"
    user.save()
    assert user.check_password("pw-hand_a")
    assert api.get("/me").status_code == 200
    user.set_password("another-long-pass")
    user.save()
    assert api.get("/me").status_code == 401


def test_my_tokens_page_issues_lists_and_revokes(world):  # type: ignore[no-untyped-def]
    c = _page(world, "enterprise")
    r = c.post("/account/tokens/", {"name": "ERP 对接", "days": "30", "scope": "read"})
    body = r.content.decode()
    assert r.status_code == 200 and "新令牌已签发" in body
    row = ApiToken.objects.get(user=world.users["enterprise"], name="ERP 对接")
    assert row.scope == TokenScope.READ
    assert timedelta(days=29) < row.expires_at - timezone.now() <= timedelta(days=30)
    assert row.prefix in body
    bad = c.post("/account/tokens/", {"name": "", "days": "9999", "scope": "read"})
    assert bad.status_code == 422 and "请填写令牌用途" in bad.content.decode()
    bad = c.post("/account/tokens/", {"name": "x", "days": "9999", "scope": "read"})
    assert bad.status_code == 422 and "有效期应为" in bad.content.decode()
    # Someone else's token is not found; the own one is revoked.
    theirs = ApiToken.issue(world.users["enterprise2"], "theirs")
    theirs_row = ApiToken.objects.get(key_hash=ApiToken.hash(theirs))
    assert c.post(f"/account/tokens/{theirs_row.pk}/revoke/").status_code == 404
    assert c.post(f"/account/tokens/{row.pk}/revoke/").status_code == 302
    row.refresh_from_db()
    assert row.revoked and row.revoked_by == world.users["enterprise"] and row.revoked_at
    assert "已吊销" in c.get("/account/tokens/").content.decode()


def test_park_administrator_lists_and_revokes_the_park_users_tokens(world):  # type: ignore[no-untyped-def]
    raw = ApiToken.issue(world.users["handler"], "热线对接")
    row = ApiToken.objects.get(key_hash=ApiToken.hash(raw))
    other_raw = ApiToken.issue(world.other_users["handler"], "别园区")
    admin = _page(world, "admin")
    page = admin.get("/manage/tokens/").content.decode()
    assert "热线对接" in page and "别园区" not in page
    # Another park's administrator cannot touch it; a non-administrator cannot see the page.
    assert (
        _page(world, "admin", other=True).post(f"/account/tokens/{row.pk}/revoke/").status_code
        == 404
    )
    assert _page(world, "dispatcher").get("/manage/tokens/").status_code == 403
    assert admin.post(f"/account/tokens/{row.pk}/revoke/", {"back": "park"}).status_code == 302
    assert ApiClient(raw).get("/me").status_code == 401
    assert ApiClient(other_raw).get("/me").status_code == 200
    row.refresh_from_db()
    assert row.revoked_by == world.users["admin"] and "管理员" in row.revoke_reason


def test_tokens_api(world):  # type: ignore[no-untyped-def]
    api = world.client("handler")
    r = api.get("/tokens")
    assert r.status_code == 200 and len(r.json()) == 1 and r.json()[0]["scope"] == "write"
    second = ApiToken.issue(world.users["handler"], "第二个")
    second_id = ApiToken.objects.get(key_hash=ApiToken.hash(second)).pk
    r = api.post(f"/tokens/{second_id}/revoke")
    assert r.status_code == 200 and r.json()["revoked"] and r.json()["status"] == "已吊销"
    assert [t["id"] for t in api.get("/tokens", live=True).json()] != [second_id]
    assert ApiClient(second).get("/me").status_code == 401
    # The park's list is the administrator's.
    assert api.get("/park/tokens").status_code == 403
    admin = world.client("admin")
    names = {t["username"] for t in admin.get("/park/tokens").json()}
    assert "hand_a" in names and "o_hand" not in names
    o_token = ApiToken.objects.create(
        user=world.other_users["handler"],
        key_hash="x" * 64,
        prefix="qs_xxxxx",
        expires_at=timezone.now() + timedelta(days=1),
    )
    assert admin.post(f"/tokens/{o_token.pk}/revoke").status_code == 404
    assert (
        "/api/v1/tokens/{token_id}/revoke" in Client().get("/api/v1/openapi.json").json()["paths"]
    )


def test_issue_token_command_days_and_scope(world):  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command("issue_token", "leader", "--days", "7", "--scope", "read", stdout=out)
    raw = out.getvalue().strip()
    row = ApiToken.objects.get(key_hash=ApiToken.hash(raw))
    assert row.scope == "read" and row.expires_at - timezone.now() <= timedelta(days=7)
    with pytest.raises(CommandError, match="有效期"):
        call_command("issue_token", "leader", "--days", "0")
