"""The demo park on a reduced size: the year's ladder is played through the services."""

import datetime as dt

import pytest
from django.utils import timezone

from demands.models import Event, Status
from demo.seeding import build_demo
from experts.models import Consultation, Expert
from meetings.models import Decision, DecisionTask, Meeting, MeetingKind, MeetingStatus
from orgs.models import Park
from projects.models import KeyProject, Stage
from supervision.models import Inspection


@pytest.mark.django_db
def test_demo_year_plays_the_ladder():
    now = dt.datetime(2026, 11, 30, 17, 0, tzinfo=timezone.get_fixed_timezone(480))
    build_demo(7, entities=120, staff=150, demands=200, now=now, log=lambda *_: None)
    park = Park.objects.get(code="xtjk")

    # Meetings: 接待日 on the 9th rule and weekly 调度会, held, decided, minutes issued.
    reception = Meeting.objects.filter(park=park, kind=MeetingKind.RECEPTION)
    assert reception.count() >= 12
    assert Meeting.objects.filter(park=park, kind=MeetingKind.PROJECT).count() >= 45
    assert reception.filter(status=MeetingStatus.ISSUED).count() >= 11
    assert Decision.objects.filter(meeting__park=park).count() >= 60
    answered = DecisionTask.objects.filter(
        decision__meeting__park=park, task__answered_at__isnull=False
    )
    assert answered.exists()
    sixth = reception.get(year=2026, number=6)
    assert sixth.items.filter(removed=False).count() == 4
    assert sixth.attendance.exists()

    # Key projects scale with the park: 6 here, half of them in operation within the year.
    projects = KeyProject.objects.filter(park=park)
    assert projects.count() == 6
    assert projects.filter(stage=Stage.OPERATING).count() == 3

    # Late tasks are urged, and the urge is raised to 督办.
    urges = Event.objects.filter(demand__park=park, action="urge")
    assert urges.filter(data__level=1).exists()
    assert urges.filter(data__level=2).exists()

    # Experts with profiles; old legacy items cleared through consultations, some still open.
    assert Expert.objects.filter(user__park=park).count() == 20
    consults = Consultation.objects.filter(demand__park=park)
    assert consults.exists()
    born_before = now - dt.timedelta(days=400)
    cleared = consults.filter(demand__created_at__lt=born_before, demand__status=Status.CLOSED)
    assert cleared.exists()

    # 督查 with rectification.
    assert Inspection.objects.filter(park=park).exists()
