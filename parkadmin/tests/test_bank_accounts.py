"""金融机构 accounts from 园区管理: the park administrator creates a bank user tied to one of the
park's financial institutions, switches it off and resets its password, each an AdminChange like
any staff change; refusals change nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from finance import services as finance
from finance.models import FinanceEvent, InstitutionUser
from orgs.models import ApiToken, Role, User
from parkadmin import services
from parkadmin.models import AdminChange, ChangeAction, ChangeKind
from qinshang.errors import InvalidInput, InvalidState

pytestmark = pytest.mark.django_db


def _bank(world, name: str = "湘潭农村商业银行", park=None):  # type: ignore[no-untyped-def]
    park = park or world.park
    users = world.users if park.pk == world.park.pk else world.other_users
    return finance.create_institution(
        users["dispatcher"], park, finance.NewInstitution(name, "bank")
    )


def _form(**kw: str) -> dict[str, str]:
    return {
        "username": "zhoumin",
        "full_name": "周敏",
        "phone": "13907325678",
        "role": Role.BANK,
        "department_id": "",
        "institution_id": "",
        "title": "客户经理",
        "rank": "3",
        "is_active": "1",
        **kw,
    }


def _state() -> tuple:  # type: ignore[type-arg]
    return (
        list(User.objects.order_by("pk").values("pk", "role", "is_active", "password")),
        list(InstitutionUser.objects.values("user_id", "institution_id")),
        AdminChange.objects.count(),
        FinanceEvent.objects.count(),
    )


def test_admin_creates_switches_off_and_resets_a_bank_account_each_logged(world):  # type: ignore[no-untyped-def]
    bank = _bank(world)
    admin = world.users["admin"]
    c = Client()
    c.force_login(admin)
    r = c.post(reverse("parkadmin:staff_new"), _form(institution_id=str(bank.pk)))
    assert r.status_code == 302, r.content.decode()[:500]
    u = User.objects.get(username="zhoumin")
    assert u.role == Role.BANK and u.department_id is None
    assert InstitutionUser.objects.get(user=u).institution == bank
    assert FinanceEvent.objects.filter(action="member_linked", institution=bank).count() == 1
    created = AdminChange.objects.get(kind=ChangeKind.STAFF, object_id=u.pk)
    assert created.action == ChangeAction.CREATED
    assert created.after["金融机构"] == "湘潭农村商业银行" and created.after["角色"] == "金融机构"
    # the account lists with its institution and reaches its workbench only
    listing = c.get(reverse("parkadmin:staff"), {"role": Role.BANK}).content.decode()
    assert "周敏" in listing and "湘潭农村商业银行" in listing
    password = next(m.message for m in r.wsgi_request._messages).split("初始密码：")[1][:12]
    b = Client()
    assert (
        b.post(reverse("login"), {"username": "zhoumin", "password": password}).status_code == 302
    )
    assert b.get("/finance/bank/").status_code == 200
    assert b.get("/demands/").status_code == 403
    token = ApiToken.issue(u)

    # switched off: no login, no token
    r = c.post(
        reverse("parkadmin:staff_edit", args=[u.pk]),
        _form(institution_id=str(bank.pk), is_active=""),
    )
    assert r.status_code == 302
    u.refresh_from_db()
    assert not u.is_active
    off = AdminChange.objects.filter(object_id=u.pk).order_by("-id").first()
    assert off is not None and off.action == ChangeAction.DEACTIVATED
    assert off.before["启用"] == "是" and off.after["启用"] == "否"
    assert (
        Client().post(reverse("login"), {"username": "zhoumin", "password": password}).status_code
        == 200
    )
    api = Client().get("/api/v1/finance/referrals", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 401
    assert FinanceEvent.objects.filter(action="member_linked").count() == 1  # not linked again

    # back on, then the password is reset: the old one stops working, the change is logged
    c.post(reverse("parkadmin:staff_edit", args=[u.pk]), _form(institution_id=str(bank.pk)))
    r = c.post(reverse("parkadmin:reset_password", args=[u.pk]))
    assert r.status_code == 302
    u.refresh_from_db()
    assert u.is_active and not u.check_password(password)
    reset = AdminChange.objects.filter(object_id=u.pk).order_by("-id").first()
    assert reset is not None and reset.action == ChangeAction.PASSWORD_RESET


@pytest.mark.parametrize(
    "which, message",
    [
        ("none", "必须选择所属金融机构"),
        ("other_park", "不属于本园区"),
        ("department", "不属于园区部门"),
        ("inactive", "已停用"),
    ],
)
def test_a_bank_account_needs_an_active_institution_of_the_park(world, which, message):  # type: ignore[no-untyped-def]
    kw: dict[str, str] = {}
    if which == "other_park":
        kw["institution_id"] = str(_bank(world, park=world.other_park).pk)
    elif which == "department":
        kw = {"institution_id": str(_bank(world).pk), "department_id": str(world.dept_a.pk)}
    elif which == "inactive":
        bank = _bank(world)
        bank.is_active = False
        bank.save()
        kw["institution_id"] = str(bank.pk)
    before = _state()
    with pytest.raises(InvalidInput, match=message):
        services.save_staff(
            world.users["admin"], world.park, services.StaffInput.parse(_form(**kw))
        )
    assert _state() == before


def test_an_account_never_changes_between_the_bank_and_the_park(world):  # type: ignore[no-untyped-def]
    bank = _bank(world)
    admin = world.users["admin"]
    u, _ = services.save_staff(
        admin, world.park, services.StaffInput.parse(_form(institution_id=str(bank.pk)))
    )
    handler = world.users["handler"]
    before = _state()
    with pytest.raises(InvalidState, match="不能互相转换"):
        services.save_staff(
            admin, world.park, services.StaffInput.parse(_form(role=Role.LIAISON)), u
        )
    with pytest.raises(InvalidState, match="不能互相转换"):
        data = _form(
            username="hand_a", role=Role.BANK, institution_id=str(bank.pk), full_name="hand_a"
        )
        services.save_staff(admin, world.park, services.StaffInput.parse(data), handler)
    assert _state() == before
