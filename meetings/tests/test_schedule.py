"""Date rules of the schedules (real 2026 dates from chinesecalendar; 2027 entered and not) and
the periodic job that creates the next meeting N working days ahead, once."""

import datetime as dt

import pytest

from meetings import services
from meetings.models import Meeting, MeetingEvent, MeetingKind, Schedule
from notifications.models import Notification
from workcal.models import YearSchedule

D = dt.date


def _schedule(world, kind=MeetingKind.RECEPTION, **kw) -> Schedule:
    services.schedules(world.park)
    s = Schedule.objects.get(park=world.park, kind=kind)
    for k, v in kw.items():
        setattr(s, k, v)
    s.save()
    return s


def _next(s: Schedule, after: dt.date) -> dt.date:
    return services.next_date(s, after)[1]


def test_ninth_on_a_working_day_stays(world):
    s = _schedule(world)
    assert s.day_of_month == 9  # the seeds' default
    assert _next(s, D(2026, 12, 1)) == D(2026, 12, 9)  # a Wednesday


def test_ninth_on_a_sunday_moves_to_monday(world):
    assert _next(_schedule(world), D(2026, 8, 1)) == D(2026, 8, 10)  # 2026-08-09 is a Sunday


def test_statutory_holiday_moves_to_next_working_day(world):
    # 2026-10-05 is inside the National Day holiday (10-01 … 10-07); 10-08 is a working day.
    assert _next(_schedule(world, day_of_month=5), D(2026, 10, 1)) == D(2026, 10, 8)
    # New Year 2026: 01-01 … 01-03 off, Sunday 01-04 is a 调休 working day.
    assert _next(_schedule(world, day_of_month=1), D(2025, 12, 20)) == D(2026, 1, 4)


def test_ninth_on_a_tiaoxiu_working_saturday_stays(world):
    # 2026-05-09 is a Saturday worked in exchange for the Labour Day holiday.
    assert _next(_schedule(world), D(2026, 5, 1)) == D(2026, 5, 9)


def test_2027_with_an_entered_schedule(world):
    YearSchedule.objects.create(year=2027, holidays="2027-02-06~2027-02-12", workdays="2027-02-13")
    s = _schedule(world)
    # The 9th falls in the entered Spring Festival holiday; the 调休 Saturday after it is worked.
    assert _next(s, D(2027, 2, 1)) == D(2027, 2, 13)
    assert services.wcal.schedule_warning(D(2027, 2, 13)) is None


def test_2027_without_a_schedule_falls_back_with_the_warning(world, client):
    s = _schedule(world)
    day = _next(s, D(2027, 2, 1))
    assert day == D(2027, 2, 9)  # Monday–Friday fallback: a Tuesday
    warning = services.wcal.schedule_warning(day)
    assert warning and "2027" in warning
    [m] = services.schedule_meetings(today=D(2027, 2, 3), park=world.park)
    assert m.date == day
    assert MeetingEvent.objects.get(meeting=m, action="create").data["calendar_warning"] == warning
    client.force_login(world.users["dispatcher"])
    page = client.get(f"/meetings/{m.pk}/").content.decode()
    assert "2027 年的法定节假日安排尚未录入" in page


def test_weekly_project_meeting_on_its_weekday(world):
    s = _schedule(world, kind=MeetingKind.PROJECT, weekday=0)
    assert _next(s, D(2026, 12, 2)) == D(2026, 12, 7)  # Monday
    # Monday 2026-10-05 is a holiday: that week's 调度会 is held on Thursday 10-08.
    assert _next(s, D(2026, 10, 2)) == D(2026, 10, 8)


def test_job_creates_next_meeting_n_working_days_ahead_once(
    world, django_capture_on_commit_callbacks
):
    s = _schedule(world, lead_working_days=5)
    Schedule.objects.filter(park=world.park, kind=MeetingKind.PROJECT).update(enabled=False)
    # 2026-12-01 + 5 working days = 12-08: the 9th is not yet within reach.
    assert services.schedule_meetings(today=D(2026, 12, 1), park=world.park) == []
    with django_capture_on_commit_callbacks(execute=True):
        [m] = services.schedule_meetings(today=D(2026, 12, 2), park=world.park)
    assert (m.kind, m.date, m.number, m.year) == (MeetingKind.RECEPTION, D(2026, 12, 9), 1, 2026)
    assert m.chair == world.users["leader"] and m.schedule == s
    assert m.title == "2026年第1期亲商优商企业接待日"
    told = set(
        Notification.objects.filter(link=f"/meetings/{m.pk}/").values_list(
            "user__username", flat=True
        )
    )
    assert told == {"leader", "disp"}
    # Idempotent, also after the date was moved by hand.
    assert services.schedule_meetings(today=D(2026, 12, 2), park=world.park) == []
    Meeting.objects.filter(pk=m.pk).update(date=D(2026, 12, 11))
    assert services.schedule_meetings(today=D(2026, 12, 3), park=world.park) == []
    assert Meeting.objects.filter(park=world.park).count() == 1


def test_job_is_a_periodic_job_of_the_one_scheduler(settings):
    from scheduling.schedule import jobs

    job = next(j for j in jobs() if j.name == "schedule_meetings")
    assert job.task == "meetings.tasks.schedule_meetings"


def test_move_date_needs_a_reason_and_a_future_working_day(world):
    m = services.create_meeting(
        world.users["dispatcher"],
        world.park,
        services.MeetingInput(
            kind=MeetingKind.TOPIC,
            date=services._today() + dt.timedelta(days=30),
            place="三楼会议室",
            chair_id=world.users["leader"].pk,
        ),
    )
    disp = world.users["dispatcher"]
    with pytest.raises(services.InvalidInput, match="调整理由"):
        services.move_meeting(
            disp, m, date=services.first_working_day(m.date + dt.timedelta(days=1)), reason=""
        )
    with pytest.raises(services.InvalidInput, match="已经过去"):
        services.move_meeting(disp, m, date=services._today() - dt.timedelta(days=1), reason="x")
    new = services.first_working_day(m.date + dt.timedelta(days=3))
    services.move_meeting(disp, m, date=new, reason="与市级会议冲突")
    m.refresh_from_db()
    assert m.date == new
    e = m.events.get(action="move")
    assert e.note == "与市级会议冲突" and e.actor == disp and e.data["to"] == new.isoformat()
