"""放款: drawdowns on an approved answer, recorded by the lending bank or the centre, validated
(amount > 0 and within the approval, not before the approval nor after today), voided with a
reason and never deleted, an event each, counted as the loans granted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from finance import services
from finance.models import Disbursement, FinanceEvent, Referral
from orgs.models import Role, User
from qinshang.errors import Forbidden, InvalidInput, InvalidState, NotFound

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def lent(world):  # type: ignore[no-untyped-def]
    disp = world.users["dispatcher"]
    inst = services.create_institution(
        disp, world.park, services.NewInstitution("农商银行", "bank")
    )
    services.link_user(disp, world.users["bank"], inst)
    other = services.create_institution(
        disp, world.park, services.NewInstitution("建设银行", "bank")
    )
    ccb_user = User.objects.create_user(
        "ccb", password="pw", role=Role.BANK, park=world.park, full_name="建行客户经理"
    )
    services.link_user(disp, ccb_user, other)
    ent = world.users["enterprise"]
    need = services.create_need(
        ent, world.park, services.NewNeed(world.enterprise.pk, "800", "技改")
    )
    services.grant_consent(ent, world.park, world.enterprise.pk, inst.pk, ["name", "needs"])
    services.grant_consent(ent, world.park, world.enterprise.pk, other.pk, ["name", "needs"])
    ref = services.refer(ent, need, inst.pk)
    pending = services.refer(ent, need, other.pk)
    services.answer(
        world.users["bank"],
        world.park,
        ref.pk,
        services.Answer(True, approved_amount_wan="500", rate_pct="3.8", term_months=24),
    )
    # approved ten days ago, so dates before and after the approval both exist
    Referral.objects.filter(pk=ref.pk).update(answered_at=timezone.now() - dt.timedelta(days=10))
    return {"ref": Referral.objects.get(pk=ref.pk), "pending": pending, "ccb_user": ccb_user}


def _new(amount: str = "200", on: dt.date | None = None, **kw: object) -> services.NewDisbursement:
    return services.NewDisbursement(
        amount_wan=amount,
        disbursed_on=on or TODAY(),
        term_months=kw.get("term", 24),
        rate_pct=kw.get("rate", "3.8"),
        note=str(kw.get("note", "")),
    )


def _state() -> tuple:  # type: ignore[type-arg]
    return (
        list(Disbursement.objects.values_list("id", "amount_wan", "voided_at")),
        FinanceEvent.objects.count(),
    )


def test_the_bank_records_a_disbursement_with_an_event(world, lent):
    ref = lent["ref"]
    d = services.record_disbursement(world.users["bank"], world.park, ref.pk, _new("200"))
    assert d.amount_wan == Decimal("200") and d.recorded_by == world.users["bank"]
    e = FinanceEvent.objects.filter(action="disbursed").get()
    assert e.actor == world.users["bank"] and e.need_id == ref.need_id
    assert e.data["amount_wan"] == "200" and e.data["disbursement"] == d.pk


def test_the_centre_may_record_for_the_bank_but_a_liaison_may_not(world, lent):
    ref = lent["ref"]
    d = services.record_disbursement(world.users["dispatcher"], world.park, ref.pk, _new("50"))
    assert d.recorded_by == world.users["dispatcher"]
    before = _state()
    with pytest.raises(Forbidden):
        services.record_disbursement(world.users["liaison"], world.park, ref.pk, _new("50"))
    assert _state() == before


def test_another_bank_cannot_see_or_record_on_the_answer(world, lent):
    before = _state()
    with pytest.raises(NotFound):
        services.record_disbursement(lent["ccb_user"], world.park, lent["ref"].pk, _new("50"))
    assert _state() == before


@pytest.mark.parametrize(
    ("amount", "on_delta", "term", "rate", "message"),
    [
        ("0", 0, 24, "3.8", "放款金额应大于 0"),
        ("-5", 0, 24, "3.8", "放款金额不能为负数"),
        ("abc", 0, 24, "3.8", "放款金额应为数字"),
        ("500.01", 0, 24, "3.8", "放款金额不能超过批准金额 500 万元"),
        ("100", -11, 24, "3.8", "放款日期不能早于批准日期"),
        ("100", 1, 24, "3.8", "放款日期不能晚于今天"),
        ("100", 0, 0, "3.8", "期限（月）"),
        ("100", 0, 24, "0", "年利率应大于 0"),
        ("100", 0, 24, "", "请填写年利率"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_changes_nothing(
    world, lent, amount, on_delta, term, rate, message
):
    before = _state()
    with pytest.raises(InvalidInput) as exc:
        services.record_disbursement(
            world.users["bank"],
            world.park,
            lent["ref"].pk,
            _new(amount, TODAY() + dt.timedelta(days=on_delta), term=term, rate=rate),
        )
    assert message in exc.value.message
    assert _state() == before


def test_drawdowns_together_stay_within_the_approval(world, lent):
    bank, ref = world.users["bank"], lent["ref"]
    services.record_disbursement(bank, world.park, ref.pk, _new("300"))
    before = _state()
    with pytest.raises(InvalidInput) as exc:
        services.record_disbursement(bank, world.park, ref.pk, _new("200.01"))
    assert "已放款 300 万元" in exc.value.message and "还可放款 200 万元" in exc.value.message
    assert _state() == before
    services.record_disbursement(bank, world.park, ref.pk, _new("200"))
    assert services.disbursed_total(ref) == Decimal("500")


def test_on_the_approval_day_is_accepted(world, lent):
    ref = lent["ref"]
    day = timezone.localdate(ref.answered_at)
    d = services.record_disbursement(world.users["bank"], world.park, ref.pk, _new("10", day))
    assert d.disbursed_on == day


def test_an_unanswered_referral_has_nothing_to_disburse(world, lent):
    before = _state()
    with pytest.raises(InvalidState):
        services.record_disbursement(lent["ccb_user"], world.park, lent["pending"].pk, _new("10"))
    assert _state() == before


def test_voiding_keeps_the_row_frees_the_amount_and_records_why(world, lent):
    bank, ref = world.users["bank"], lent["ref"]
    d = services.record_disbursement(bank, world.park, ref.pk, _new("500"))
    before = _state()
    with pytest.raises(InvalidInput) as exc:
        services.void_disbursement(bank, world.park, d.pk, "  ")
    assert "作废理由" in exc.value.message and _state() == before
    services.void_disbursement(bank, world.park, d.pk, "金额录错")
    row = Disbursement.objects.get(pk=d.pk)
    assert row.voided_by == bank and row.void_reason == "金额录错"
    e = FinanceEvent.objects.filter(action="disbursement_voided").get()
    assert e.note == "金额录错" and e.data["disbursement"] == d.pk
    assert services.disbursed_total(ref) == 0
    with pytest.raises(InvalidState):
        services.void_disbursement(bank, world.park, d.pk, "再次作废")
    with pytest.raises(NotFound):
        services.void_disbursement(lent["ccb_user"], world.park, d.pk, "不是我的")


def test_figures_count_disbursed_loans_not_approvals(world, lent):
    bank, ref = world.users["bank"], lent["ref"]
    f = services.figures(world.users["dispatcher"], world.park)
    assert (f.approved, f.approved_amount_wan, f.disbursed, f.disbursed_amount_wan) == (
        1,
        Decimal("500"),
        0,
        0,
    )
    services.record_disbursement(bank, world.park, ref.pk, _new("120"))
    voided = services.record_disbursement(bank, world.park, ref.pk, _new("80"))
    services.void_disbursement(bank, world.park, voided.pk, "重复登记")
    f = services.figures(world.users["dispatcher"], world.park)
    assert (f.disbursed, f.disbursed_amount_wan) == (1, Decimal("120"))
    body = _client(world.users["dispatcher"]).get("/finance/").content.decode()
    assert "已放款（贷款发放）1 项，120.00 万元" in body


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_pages_record_show_and_void(world, lent):
    ref = lent["ref"]
    bank = _client(world.users["bank"])
    r = bank.post(
        f"/finance/referrals/{ref.pk}/disburse/",
        {
            "amount_wan": "600",
            "disbursed_on": TODAY().isoformat(),
            "term_months": "24",
            "rate_pct": "3.8",
        },
    )
    assert r.status_code == 422 and "放款金额不能超过批准金额" in r.content.decode()
    assert not Disbursement.objects.exists()
    r = bank.post(
        f"/finance/referrals/{ref.pk}/disburse/",
        {
            "amount_wan": "150",
            "disbursed_on": TODAY().isoformat(),
            "term_months": "24",
            "rate_pct": "3.8",
        },
    )
    assert r.status_code == 302
    d = Disbursement.objects.get()
    page = bank.get(f"/finance/referrals/{ref.pk}/").content.decode()
    assert "已放款 150.00 万元" in page and "登记放款" in page
    need_page = (
        _client(world.users["liaison"]).get(f"/finance/needs/{ref.need_id}/").content.decode()
    )
    assert "150 万元，年利率 3.80%，24 个月" in need_page
    r = bank.post(f"/finance/disbursements/{d.pk}/void/", {"reason": "录入错误"})
    assert r.status_code == 302
    assert Disbursement.objects.get().void_reason == "录入错误"
    assert "已作废" in bank.get(f"/finance/referrals/{ref.pk}/").content.decode()


def test_the_api_records_lists_and_voids(world, lent):
    ref = lent["ref"]
    api = world.client("bank")
    r = api.post(
        f"/finance/referrals/{ref.pk}/disbursements",
        {
            "amount_wan": "0",
            "disbursed_on": TODAY().isoformat(),
            "term_months": 24,
            "rate_pct": "3.8",
        },
    )
    assert r.status_code == 422 and r.json()["detail"] == "放款金额应大于 0"
    assert not Disbursement.objects.exists()
    r = api.post(
        f"/finance/referrals/{ref.pk}/disbursements",
        {
            "amount_wan": "250",
            "disbursed_on": TODAY().isoformat(),
            "term_months": 24,
            "rate_pct": "3.8",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert Decimal(body["amount_wan"]) == 250 and body["recorded_by"] == "农商银行客户经理"
    rows = world.client("enterprise").get(f"/finance/referrals/{ref.pk}/disbursements")
    assert rows.status_code == 200 and [x["id"] for x in rows.json()] == [body["id"]]
    r = api.post(f"/finance/disbursements/{body['id']}/void", {"reason": "重复"})
    assert r.status_code == 200 and r.json()["voided"] is True
    r = world.client("liaison").post(
        f"/finance/referrals/{ref.pk}/disbursements",
        {
            "amount_wan": "1",
            "disbursed_on": TODAY().isoformat(),
            "term_months": 24,
            "rate_pct": "3.8",
        },
    )
    assert r.status_code == 403
