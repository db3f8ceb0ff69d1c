"""Figures per meeting: the items heard, the decisions, and how many decisions were done on time.

Definitions (also in docs/architecture.md):
- items heard: agenda items not trimmed from a meeting that has been held (已召开 or 纪要已印发);
  a meeting still being prepared has heard nothing;
- decisions: 议定事项 of the meeting, of any kind; with tasks: those that gave departments tasks;
- done on time: decisions with tasks whose every task (a 改派 follows the new department) was
  answered by its deadline, as the ledger stands at the end of `as_of` (default today); done late,
  open and overdue likewise (see meetings.agenda.task_state);
- on-time rate: done on time ÷ decisions with tasks (None when there are none).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from meetings import agenda
from meetings.models import Decision, DecisionKind, Meeting, MeetingStatus


@dataclass
class MeetingFigures:
    meeting_id: int
    items_heard: int = 0
    decisions: int = 0
    with_tasks: int = 0
    settled: int = 0  # answered on the spot or explained
    referred: int = 0  # to expert consultation
    on_time: int = 0
    late: int = 0
    open: int = 0
    overdue: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.with_tasks if self.with_tasks else None


def for_meetings(
    meetings: Iterable[Meeting], as_of: dt.date | None = None
) -> dict[int, MeetingFigures]:
    day = as_of or timezone.localdate()
    ids = [m.pk for m in meetings]
    out = {pk: MeetingFigures(pk) for pk in ids}
    heard = (
        Meeting.objects.filter(pk__in=ids)
        .exclude(status=MeetingStatus.PREPARING)
        .annotate(n=Count("items", filter=Q(items__removed=False)))
        .values_list("pk", "n")
    )
    for pk, n in heard:
        out[pk].items_heard = n
    for f in agenda.follow_ups(Decision.objects.filter(meeting_id__in=ids), day):
        x = out[f.meeting.pk]
        x.decisions += 1
        if f.decision.kind == DecisionKind.TASKS:
            x.with_tasks += 1
            setattr(x, f.state, getattr(x, f.state) + 1)
        elif f.state == "settled":
            x.settled += 1
        else:
            x.referred += 1
    return out


def for_meeting(meeting: Meeting, as_of: dt.date | None = None) -> MeetingFigures:
    return for_meetings([meeting], as_of)[meeting.pk]
