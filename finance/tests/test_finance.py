"""银企对接: what a bank may see (pages, API, exports), consent and its withdrawal, bad input,
the working-day deadline and the urging of late answers."""

from __future__ import annotations

import datetime as dt
import io
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from entities.models import Contact
from finance import access, services
from finance.models import Consent, FinanceEvent, Referral, ReferralStatus
from notifications.models import Notification
from orgs.models import Role, User
from qinshang.errors import InvalidInput, NotFound
from workcal import calendar as wcal

pytestmark = pytest.mark.django_db


@pytest.fixture
def fin(world):  # type: ignore[no-untyped-def]
    disp = world.users["dispatcher"]
    bank = services.create_institution(
        disp, world.park, services.NewInstitution("农商银行", "bank")
    )
    ccb = services.create_institution(disp, world.park, services.NewInstitution("建设银行", "bank"))
    services.link_user(disp, world.users["bank"], bank)
    other_bank_user = User.objects.create_user(
        "ccb", password="pw", role=Role.BANK, park=world.park, full_name="建行客户经理"
    )
    services.link_user(disp, other_bank_user, ccb)
    ent = world.users["enterprise"]
    need = services.create_need(
        ent, world.park, services.NewNeed(world.enterprise.pk, "1000", "购置设备", "厂房抵押")
    )
    consent = services.grant_consent(
        ent, world.park, world.enterprise.pk, bank.pk, ["name", "industry", "needs"]
    )
    ref = services.refer(ent, need, bank.pk)
    # enterprise2 has a need too, shown to nobody and consenting to nobody
    need2 = services.create_need(
        world.users["enterprise2"],
        world.park,
        services.NewNeed(world.enterprise2.pk, "300", "流动资金"),
    )
    return {
        "bank": bank,
        "ccb": ccb,
        "ccb_user": other_bank_user,
        "need": need,
        "need2": need2,
        "consent": consent,
        "ref": ref,
    }


def _login(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _snapshot() -> tuple:  # type: ignore[type-arg]
    from finance import models

    kinds = (
        models.Institution,
        models.InstitutionUser,
        models.Product,
        models.FinancingNeed,
        models.Consent,
        models.Referral,
        models.FinanceEvent,
    )
    return tuple(list(m.objects.order_by("pk").values()) for m in kinds) + (
        Notification.objects.count(),
    )


@contextmanager
def unchanged():  # type: ignore[no-untyped-def]
    before = _snapshot()
    yield
    assert _snapshot() == before, "refused input changed the database"


def _xlsx_cells(response) -> set[str]:  # type: ignore[no-untyped-def]
    data = b"".join(response.streaming_content) if response.streaming else response.content
    ws = load_workbook(io.BytesIO(data)).active
    return {str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None}


# ------------------------------------------------------------------ confidentiality


def test_a_bank_sees_only_the_consented_fields_of_consenting_enterprises(world, fin):
    bank = world.users["bank"]
    profiles = access.shared_profiles(bank, world.park)
    assert [p.entity_id for p in profiles] == [world.enterprise.pk]
    p = profiles[0]
    assert p.name == world.enterprise.name
    assert p.industry  # consented
    assert p.credit_code is None and p.contacts == [] and p.figures == []  # not consented
    with pytest.raises(NotFound):
        access.shared_profile(bank, world.park, world.enterprise2.pk)
    assert list(access.visible_needs(bank, world.park)) == [fin["need"]]


def test_bank_pages_api_and_export_show_nothing_unconsented(world, fin):
    c = _login(world.users["bank"])
    secret = [world.enterprise.credit_code, "13907321234", world.enterprise2.name, "流动资金"]
    pages = [
        "/finance/bank/",
        f"/finance/referrals/{fin['ref'].pk}/",
        f"/finance/bank/enterprises/{world.enterprise.pk}/",
    ]
    for path in pages:
        r = c.get(path)
        assert r.status_code == 200, path
        body = r.content.decode()
        assert world.enterprise.name in body
        assert not [s for s in secret if s in body], path
    token = c.get("/api/v1/finance/enterprises")
    assert token.status_code == 200
    assert token.json()[0]["credit_code"] is None
    assert token.json()[0]["name"] == world.enterprise.name
    needs = c.get("/api/v1/finance/needs").json()
    assert [n["number"] for n in needs["results"]] == [fin["need"].number]
    xlsx = c.get("/finance/bank/export.xlsx")
    assert xlsx.status_code == 200
    ws = load_workbook(
        io.BytesIO(b"".join(xlsx.streaming_content) if xlsx.streaming else xlsx.content)
    ).active
    cells = {str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None}
    assert world.enterprise.name in cells
    assert not [s for s in secret if s in cells]


def test_a_bank_user_is_refused_everywhere_else(world, fin):
    c = _login(world.users["bank"])
    for path in [
        "/demands/",
        "/profiles/",
        f"/profiles/{world.enterprise.pk}/",
        "/reports/",
        "/meetings/",
        "/finance/",
        f"/finance/needs/{fin['need'].pk}/",
        "/projects/",
        "/matchmaking/",
        "/matchmaking/products/",
        "/policies/",
        "/knowledge/",
        "/manage/",
        # every export but its own
        "/finance/export.xlsx",
        "/demands/export.xlsx",
        "/profiles/export/",
        "/liaisons/export/entities.xlsx",
        "/matchmaking/brochure.docx",
        "/matchmaking/brochure.pdf",
    ]:
        assert c.get(path).status_code in (403, 404), path
    for path in [
        "/api/v1/demands",
        "/api/v1/enterprises",
        f"/api/v1/enterprises/{world.enterprise.pk}",
        "/api/v1/matchmaking/products",
        "/api/v1/matchmaking/orders",
        f"/api/v1/profiles/{world.enterprise.pk}",
    ]:
        assert c.get(path).status_code == 403, path
    from orgs.models import ApiToken

    token = ApiToken.issue(world.users["bank"])
    h = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    anon = Client()
    assert anon.get("/api/v1/enterprises", **h).status_code == 403
    assert anon.get(f"/api/v1/profiles/{world.enterprise.pk}", **h).status_code == 403
    assert anon.get("/api/v1/finance/referrals", **h).status_code == 200


def test_another_bank_sees_nothing(world, fin):
    ccb = fin["ccb_user"]
    assert access.shared_profiles(ccb, world.park) == []
    assert not access.visible_needs(ccb, world.park).exists()
    c = _login(ccb)
    assert c.get(f"/finance/referrals/{fin['ref'].pk}/").status_code == 404
    assert c.get(f"/finance/bank/enterprises/{world.enterprise.pk}/").status_code == 404
    assert c.get(f"/api/v1/finance/needs/{fin['need'].pk}").status_code == 404


def test_withdrawing_consent_takes_effect_at_once(world, fin):
    bank = _login(world.users["bank"])
    assert bank.get(f"/finance/referrals/{fin['ref'].pk}/").status_code == 200
    ent = _login(world.users["enterprise"])
    r = ent.post(f"/finance/consents/{fin['consent'].pk}/withdraw/", {"reason": "已获其他银行贷款"})
    assert r.status_code == 302
    assert bank.get(f"/finance/referrals/{fin['ref'].pk}/").status_code == 404
    assert bank.get(f"/api/v1/finance/needs/{fin['need'].pk}").status_code == 404
    assert bank.get("/api/v1/finance/enterprises").json() == []
    assert bank.get(f"/api/v1/finance/enterprises/{world.enterprise.pk}").status_code == 404
    assert bank.get("/api/v1/finance/needs").json()["results"] == []
    assert bank.get(f"/finance/bank/enterprises/{world.enterprise.pk}/").status_code == 404
    assert world.enterprise.name not in bank.get("/finance/bank/").content.decode()
    export = bank.get("/finance/bank/export.xlsx")
    assert export.status_code == 200
    cells = _xlsx_cells(export)
    assert world.enterprise.name not in cells and fin["need"].number not in cells
    assert FinanceEvent.objects.filter(action="consent_withdrawn").count() == 1
    # and answering is refused too
    with pytest.raises(NotFound):
        services.answer(
            world.users["bank"],
            world.park,
            fin["ref"].pk,
            services.Answer(False, decline_reason="x"),
        )


def test_a_consent_without_needs_hides_the_need_but_shows_the_fields(world, fin):
    services.grant_consent(
        world.users["enterprise"], world.park, world.enterprise.pk, fin["bank"].pk, ["name"]
    )
    bank = world.users["bank"]
    assert not access.visible_needs(bank, world.park).exists()
    assert [p.name for p in access.shared_profiles(bank, world.park)] == [world.enterprise.name]
    assert Consent.objects.filter(entity=world.enterprise).count() == 2  # history kept


def test_an_enterprise_cannot_share_another_enterprise(world, fin):
    with pytest.raises(InvalidInput):
        services.grant_consent(
            world.users["enterprise"], world.park, world.enterprise2.pk, fin["bank"].pk, ["name"]
        )


def test_the_other_park_gets_404(world, fin):
    c = _login(world.other_users["dispatcher"])
    assert c.get(f"/finance/needs/{fin['need'].pk}/").status_code == 404
    assert c.get(f"/finance/institutions/{fin['bank'].pk}/").status_code == 404
    assert c.get(f"/api/v1/finance/referrals/{fin['ref'].pk}").status_code == 404


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "amount,rate,message",
    [("-5", "3.5", "不能为负数"), ("100", "120", "不能超过 100%"), ("abc", "3", "应为数字")],
)
def test_a_bad_answer_is_refused_in_chinese_and_changes_nothing(world, fin, amount, rate, message):
    c = _login(world.users["bank"])
    with unchanged():
        r = c.post(
            f"/finance/referrals/{fin['ref'].pk}/answer/",
            {
                "outcome": "approved",
                "approved_amount_wan": amount,
                "rate_pct": rate,
                "term_months": "12",
            },
        )
    assert r.status_code == 422
    assert message in r.content.decode()
    ref = Referral.objects.get(pk=fin["ref"].pk)
    assert ref.status == ReferralStatus.PENDING and ref.approved_amount_wan is None
    assert not FinanceEvent.objects.filter(action="answered").exists()


def test_negative_need_and_rate_over_100_in_a_product_are_refused(world, fin):
    c = _login(world.users["enterprise"])
    with unchanged():
        r = c.post("/finance/needs/new/", {"amount_wan": "-100", "purpose": "扩产"})
    assert r.status_code == 422 and "融资金额不能为负数" in r.content.decode()
    api = _login(world.users["dispatcher"])
    with unchanged():
        r = api.post(
            f"/finance/institutions/{fin['bank'].pk}/products/",
            {
                "name": "负额度贷",
                "type": "credit",
                "min_amount_wan": "-1",
                "max_amount_wan": "10",
                "rate_min_pct": "3",
                "rate_max_pct": "4",
                "term_min_months": "1",
                "term_max_months": "12",
            },
        )
    assert r.status_code == 422 and "最低额度不能为负数" in r.content.decode()
    with unchanged():
        r = api.post(
            f"/api/v1/finance/institutions/{fin['bank'].pk}/products",
            {
                "name": "高息贷",
                "type": "credit",
                "min_amount_wan": "1",
                "max_amount_wan": "10",
                "rate_min_pct": "3",
                "rate_max_pct": "150",
                "term_min_months": 1,
                "term_max_months": 12,
            },
            content_type="application/json",
        )
    assert r.status_code == 422 and "年利率上限不能超过 100%" in r.json()["detail"]
    assert not fin["bank"].products.exists()


def test_answering_a_need_not_shown_is_refused(world, fin):
    # the enterprise consented to 建设银行 but showed the need only to 农商银行
    services.grant_consent(
        world.users["enterprise"], world.park, world.enterprise.pk, fin["ccb"].pk, ["needs"]
    )
    c = _login(fin["ccb_user"])
    with unchanged():
        r = c.post(
            f"/api/v1/finance/referrals/{fin['ref'].pk}/answer",
            {"approved": False, "decline_reason": "不符合条件"},
            content_type="application/json",
        )
        assert r.status_code == 404
        assert "未向贵机构推送" in r.json()["detail"]
        page = c.post(
            f"/finance/referrals/{fin['ref'].pk}/answer/",
            {"outcome": "declined", "decline_reason": "不符合条件"},
        )
        assert page.status_code == 404
        with pytest.raises(NotFound, match="未向贵机构推送"):
            services.answer(
                fin["ccb_user"],
                world.park,
                fin["ref"].pk,
                services.Answer(False, decline_reason="不符合条件"),
            )
    assert Referral.objects.get(pk=fin["ref"].pk).status == ReferralStatus.PENDING


def test_showing_a_need_without_consent_is_refused(world, fin):
    with unchanged(), pytest.raises(InvalidInput, match="尚未授权"):
        services.refer(world.users["enterprise"], fin["need"], fin["ccb"].pk)


# ------------------------------------------------------------------ answers and deadlines


def test_the_bank_answers_and_the_enterprise_and_liaison_are_told(
    world, fin, django_capture_on_commit_callbacks
):
    c = _login(world.users["bank"])
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(
            f"/finance/referrals/{fin['ref'].pk}/answer/",
            {
                "outcome": "approved",
                "approved_amount_wan": "1000",
                "rate_pct": "3.45",
                "term_months": "36",
                "subsidy_pct": "1",
            },
        )
    assert r.status_code == 302
    ref = Referral.objects.get(pk=fin["ref"].pk)
    assert ref.status == ReferralStatus.APPROVED
    assert ref.approved_amount_wan == Decimal("1000") and ref.rate_pct == Decimal("3.45")
    ev = FinanceEvent.objects.get(action="answered")
    assert ev.actor == world.users["bank"] and ev.data["approved_amount_wan"] == "1000"
    told = set(
        Notification.objects.filter(text__contains="已答复").values_list(
            "user__username", flat=True
        )
    )
    assert {"ent", "liaison"} <= told
    # a second answer is refused
    again = c.post(
        f"/finance/referrals/{fin['ref'].pk}/answer/",
        {"outcome": "declined", "decline_reason": "x"},
    )
    assert again.status_code == 302
    assert Referral.objects.get(pk=fin["ref"].pk).status == ReferralStatus.APPROVED


def test_the_deadline_counts_working_days(world, fin):
    ref = fin["ref"]
    assert ref.deadline == wcal.add_working_days(wcal.today(), fin["bank"].answer_working_days)


def test_an_unanswered_need_past_its_deadline_is_urged_once_a_day(world, fin):
    ref = fin["ref"]
    late_day = wcal.add_working_days(ref.deadline, 1)
    assert services.urge_overdue(ref.deadline) == 0  # due today: not late yet
    assert services.urge_overdue(late_day) == 1
    assert services.urge_overdue(late_day) == 0  # once a day
    urged = Notification.objects.filter(text__startswith="催办：融资需求")
    assert set(urged.values_list("user__username", flat=True)) == {"bank", "liaison"}
    ref.refresh_from_db()
    assert ref.urge_count == 1 and ref.last_urged_on == late_day
    assert FinanceEvent.objects.filter(action="urged", need=ref.need).count() == 1
    assert services.urge_overdue(late_day + dt.timedelta(days=1)) == 1


def test_the_urge_job_is_scheduled():
    from django.conf import settings

    assert any(j["task"] == "finance.tasks.urge_overdue" for j in settings.PERIODIC_JOBS)


def test_contacts_are_shared_only_when_consented(world, fin):
    Contact.objects.filter(entity=world.enterprise).update(position="财务总监")
    services.grant_consent(
        world.users["enterprise"],
        world.park,
        world.enterprise.pk,
        fin["bank"].pk,
        ["name", "contacts", "needs"],
    )
    p = access.shared_profile(world.users["bank"], world.park, world.enterprise.pk)
    assert p.contacts[0]["phone"] == "13907321234"


@pytest.mark.parametrize("raw,ok", [("10.5", True), ("3.20", True), ("3.205", False)])
def test_amounts_and_rates_keep_at_most_two_decimals(raw: str, ok: bool) -> None:
    from qinshang.errors import InvalidInput

    for parse in (services.money, services.rate):
        if ok:
            assert parse(raw, "金额") == Decimal(raw)
        else:
            with pytest.raises(InvalidInput, match="两位小数"):
                parse(raw, "金额")
