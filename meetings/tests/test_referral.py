"""A decision 提交专家会诊 opens the consultation 待组建专家组, linked to the demand and the meeting's
item; the chair picks the panel; the decision's state follows the consultation to its conclusion.
Each step is an event; refused steps change nothing."""

import pytest
from django.test import Client

from demands.models import Status as DStatus
from demands.models import Tier
from experts import services as xs
from experts.models import ConsultationEvent, ConsultationStatus
from experts.tests.helpers import experts, unchanged
from meetings import agenda, metrics, services
from meetings.models import Decision, DecisionKind, MeetingEvent
from meetings.tests.helpers import escalated, held, meeting
from notifications.models import Kind, Notification
from qinshang.errors import Forbidden, InvalidInput, InvalidState

pytestmark = pytest.mark.django_db


def _refer(world, capture):  # type: ignore[no-untyped-def]
    d = escalated(world, "厂房产权分宗多年未办")
    m = held(world, meeting(world))
    item = m.items.get()
    with capture(execute=True):
        dec = services.decide(
            world.users["leader"],
            m,
            item_id=item.pk,
            kind=DecisionKind.EXPERT,
            text="涉及规划与不动产登记，提请专家会诊",
            expert_field="土地规划",
        )
    return d, m, item, dec


def test_referral_opens_a_consultation_waiting_for_its_panel(
    world, django_capture_on_commit_callbacks
):
    d, m, item, dec = _refer(world, django_capture_on_commit_callbacks)
    c = dec.consultation
    assert c is not None and c.status == ConsultationStatus.PREPARING
    assert c.demand == d and c.chair == world.users["leader"] and not c.experts.exists()
    assert c.legacy_reason == f"由{m.title}议定转专家会诊" and "规划" in c.background
    assert list(c.meeting_decisions.all()) == [dec] and dec.item == item
    assert ConsultationEvent.objects.filter(consultation=c, action="prepare").count() == 1
    assert MeetingEvent.objects.get(meeting=m, action="decide").data["consultation"] == c.pk
    assert d.events.filter(action="comment", note__contains="提交专家会诊").exists()
    told = Notification.objects.filter(kind=Kind.CONSULTATION)
    assert [n.user_id for n in told] == [world.users["leader"].pk]
    (f,) = agenda.follow_ups(Decision.objects.filter(pk=dec.pk), m.date)
    assert (f.state, f.label) == ("referred", "已转专家会诊 · 待组建专家组")
    fig = metrics.for_meeting(m)
    assert (fig.decisions, fig.referred, fig.settled) == (1, 1, 0)
    # Nobody writes or concludes before there is a panel.
    with pytest.raises(InvalidState, match="尚未组建"):
        xs.conclude(world.users["leader"], c, conclusion="结论", kind="answer")


def test_the_chair_picks_the_panel_and_the_decision_follows_the_conclusion(
    world, django_capture_on_commit_callbacks
):
    d, m, item, dec = _refer(world, django_capture_on_commit_callbacks)
    c = dec.consultation
    panel = experts(world)
    with unchanged(), pytest.raises(Forbidden):
        xs.form_panel(world.users["handler"], c, expert_ids=[panel[0].pk])
    with unchanged(), pytest.raises(InvalidInput, match="至少选择一位专家"):
        xs.form_panel(world.users["leader"], c, expert_ids=[])
    with django_capture_on_commit_callbacks(execute=True):
        xs.form_panel(world.users["leader"], c, expert_ids=[panel[0].pk, panel[1].pk])
    c.refresh_from_db()
    d.refresh_from_db()
    assert c.status == ConsultationStatus.OPEN and c.experts.count() == 2
    assert (
        d.tier == Tier.EXPERT and d.events.filter(action="escalate", data__tier="expert").exists()
    )
    assert ConsultationEvent.objects.filter(consultation=c, action="panel").count() == 1
    with pytest.raises(InvalidState, match="已组建"):
        xs.form_panel(world.users["leader"], c, expert_ids=[panel[0].pk])
    (f,) = agenda.follow_ups(Decision.objects.filter(pk=dec.pk), m.date)
    assert f.label == "已转专家会诊 · 会诊中"
    # The panel expert now reads the demand; the consultation page links back to the meeting.
    ex = Client()
    ex.force_login(world.users["expert"])
    assert ex.get(f"/demands/{d.pk}/").status_code == 200
    page = ex.get(f"/experts/consultations/{c.pk}/").content.decode()
    assert f"/meetings/{m.pk}/#item-{item.pk}" in page and 'id="panel-form"' not in page
    xs.write_opinion(world.users["expert"], c, text="建议按历史遗留政策分宗办理")
    xs.conclude(world.users["leader"], c, conclusion="按历史遗留政策分宗办理", kind="answer")
    d.refresh_from_db()
    assert d.status == DStatus.ANSWERED
    (f,) = agenda.follow_ups(Decision.objects.filter(pk=dec.pk), m.date)
    assert (f.state, f.label) == ("settled", "会诊已形成结论（直接答复企业）")
    fig = metrics.for_meeting(m)
    assert (fig.referred, fig.settled) == (0, 1)
    # The meeting's page shows the decision with the consultation's state.
    lead = Client()
    lead.force_login(world.users["leader"])
    body = lead.get(f"/meetings/{m.pk}/").content.decode()
    assert f'data-consultation="{c.pk}"' in body and "会诊已形成结论" in body


def test_the_panel_page_form(world, django_capture_on_commit_callbacks):
    d, m, item, dec = _refer(world, django_capture_on_commit_callbacks)
    c = dec.consultation
    panel = experts(world)
    disp = Client()
    disp.force_login(world.users["dispatcher"])
    page = disp.get(f"/experts/consultations/{c.pk}/").content.decode()
    assert 'id="panel-form"' in page and 'id="referral"' in page
    r = disp.post(f"/experts/consultations/{c.pk}/panel/", {})
    assert r.status_code == 422 and "至少选择一位专家" in r.content.decode()
    r = disp.post(f"/experts/consultations/{c.pk}/panel/", {"expert_ids": [panel[0].pk]})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.status == ConsultationStatus.OPEN
    # An expert of the pool cannot form panels; another park's dispatcher does not find it.
    ex = Client()
    ex.force_login(world.users["expert"])
    assert ex.post(f"/experts/consultations/{c.pk}/panel/", {}).status_code == 403
    other = Client()
    other.force_login(world.other_users["dispatcher"])
    assert other.post(f"/experts/consultations/{c.pk}/panel/", {}).status_code == 404
