"""Where a meeting's agenda comes from, and the 往期交办事项落实情况 it opens with.

Agenda sources are plain functions `source(meeting, today) -> list[Proposal]` (`today`: the
day the agenda is drawn up, so a meeting prepared on a past day of the demo reads that day). The built-in ones read
the ledger: demands escalated to the meeting's rung and enterprises' portal registrations. Other
apps add theirs without this app importing them: `register_source(fn)` from their
`AppConfig.ready()`, or a dotted path in `settings.MEETING_AGENDA_SOURCES` (for example a
`projects` app proposing key projects whose milestones slip, for the 重点项目调度会).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from demands.models import OPEN_STATUSES, Demand, Event, Task, TaskStatus
from entities.models import MarketEntity
from escalation.models import Proposal as RuleProposal
from escalation.models import ProposalStatus
from experts.models import Consultation, ConsultationStatus
from meetings.models import (
    KIND_TIER,
    AgendaItem,
    AgendaSource,
    Decision,
    DecisionKind,
    DecisionTask,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Registration,
)
from orgs.models import User
from projects.services import slipping_projects


@dataclass
class Proposal:
    """One item an agenda source proposes. `demand` or `enterprise` (or both), or a `title`
    with `source_ref` naming the other app's object (e.g. "project:17")."""

    source: str
    demand: Demand | None = None
    enterprise: MarketEntity | None = None
    title: str = ""
    source_ref: str = ""
    registration: Registration | None = None


Source_fn = Callable[[Meeting, dt.date], list[Proposal]]
_registered: list[Source_fn] = []


def register_source(fn: Source_fn) -> Source_fn:
    """Add an agenda source (usable as a decorator); registering twice has no effect."""
    if fn not in _registered:
        _registered.append(fn)
    return fn


def _pending_demands(meeting: Meeting, demands):
    """Leave out what another meeting of the kind is about to hear or has decided already."""
    taken = AgendaItem.objects.filter(
        meeting__park=meeting.park, meeting__kind=meeting.kind, removed=False
    ).exclude(meeting=meeting)
    waiting = taken.filter(meeting__status=MeetingStatus.PREPARING).values("demand_id")
    decided = taken.filter(decisions__isnull=False).values("demand_id")
    return demands.exclude(pk__in=waiting).exclude(pk__in=decided)


def escalated(meeting: Meeting, today: dt.date) -> list[Proposal]:
    """Open demands escalated to this meeting's rung (Demand.tier) that no earlier meeting of
    the kind decided on: a demand heard but left without a decision comes back."""
    tier = KIND_TIER.get(meeting.kind)
    if tier is None:
        return []
    qs = Demand.objects.filter(park=meeting.park, tier=tier, status__in=OPEN_STATUSES)
    qs = _pending_demands(meeting, qs).select_related("enterprise").order_by("created_at", "id")
    return [Proposal(AgendaSource.ESCALATED, demand=d) for d in qs]


def registrations(meeting: Meeting, today: dt.date) -> list[Proposal]:
    if meeting.kind != MeetingKind.RECEPTION:
        return []
    regs = Registration.objects.filter(
        park=meeting.park, item__isnull=True, demand__status__in=OPEN_STATUSES
    ).select_related("demand", "enterprise")
    return [Proposal(AgendaSource.PORTAL, demand=r.demand, registration=r) for r in regs]


def rule_proposed(meeting: Meeting, today: dt.date) -> list[Proposal]:
    """Demands a park's escalation rule proposes for this rung and nobody has decided on yet:
    the meeting can hear them (accepting the proposal then moves the demand up the ladder)."""
    tier = KIND_TIER.get(meeting.kind)
    if tier is None:
        return []
    ids = RuleProposal.objects.filter(
        park=meeting.park, status=ProposalStatus.OPEN, to_tier=tier
    ).values("demand_id")
    qs = Demand.objects.filter(pk__in=ids, status__in=OPEN_STATUSES).exclude(tier=tier)
    qs = _pending_demands(meeting, qs).select_related("enterprise").order_by("created_at", "id")
    return [Proposal(AgendaSource.RULE, demand=d) for d in qs]


def key_projects(meeting: Meeting, today: dt.date) -> list[Proposal]:
    """For a 重点项目调度会: every key project whose milestones slip or whose investor has open
    demands (`projects.services.slipping_projects`), one item per project, with the reasons."""
    if meeting.kind != MeetingKind.PROJECT:
        return []
    day = min(meeting.date, today)
    return [
        Proposal(
            AgendaSource.PROJECT,
            enterprise=s.project.investor,
            title=f"{s.project.name}：{'；'.join(s.reasons)}"[:200],
            source_ref=f"project:{s.project.pk}",
        )
        for s in slipping_projects(meeting.park, day)
    ]


BUILTIN_SOURCES: list[Source_fn] = [escalated, rule_proposed, registrations, key_projects]


def sources() -> list[Source_fn]:
    extra = [import_string(p) for p in getattr(settings, "MEETING_AGENDA_SOURCES", [])]
    return [*BUILTIN_SOURCES, *_registered, *(f for f in extra if f not in _registered)]


def proposals(meeting: Meeting, today: dt.date | None = None) -> list[Proposal]:
    day = today or timezone.localdate()
    out: list[Proposal] = []
    for fn in sources():
        out.extend(fn(meeting, day))
    return out


def refresh(meeting: Meeting, actor: User | None, *, at: dt.datetime | None = None) -> int:
    """Put every proposal not on the agenda yet on it; returns how many were added. Items the
    dispatcher trimmed stay off (their removal is a decision with a reason). `at`: the moment
    the agenda is drawn up (now by default)."""
    from meetings import services

    if meeting.status != MeetingStatus.PREPARING:
        return 0
    now = at or timezone.now()
    added = 0
    with transaction.atomic():
        trimmed = set(meeting.items.filter(removed=True).values_list("demand_id", flat=True))
        refs = set(meeting.items.exclude(source_ref="").values_list("source_ref", flat=True))
        for p in proposals(meeting, timezone.localtime(now).date()):
            if p.demand is not None and p.demand.pk in trimmed:
                continue
            if p.source_ref and p.source_ref in refs:
                continue
            item = services.put_on_agenda(
                meeting,
                p.demand,
                source=p.source,
                actor=actor,
                title=p.title,
                enterprise=p.enterprise,
                source_ref=p.source_ref,
                at=now,
            )
            if item is None:
                continue
            added += 1
            if p.source_ref:
                refs.add(p.source_ref)
            if p.registration is not None:
                p.registration.item = item
                p.registration.save(update_fields=["item"])
    return added


def on_event_written(sender: Any, event: Event, **kwargs: Any) -> None:
    """Ledger events that concern meetings, in the event's own transaction: an escalated demand
    goes on the next meeting of its rung being prepared; a meeting's task re-routed by 改派 keeps
    its link to the decision through the new department's task."""
    if event.action == "escalate":
        _on_escalate(event)
    elif event.action == "redispatch" and event.task_id:
        _on_redispatch(event)


def _on_escalate(event: Event) -> None:
    from meetings import services

    tier = (event.data or {}).get("tier")
    kinds = [k for k, t in KIND_TIER.items() if t == tier]
    if not kinds:
        return
    demand = event.demand
    for kind in kinds:
        busy = AgendaItem.objects.filter(
            demand=demand,
            removed=False,
            meeting__kind=kind,
            meeting__status__in=(MeetingStatus.PREPARING, MeetingStatus.HELD),
        ).exists()
        if busy:
            continue
        # The escalation's own moment: a demand escalated on a past day (an import, the demo
        # park) goes on the meeting that was being prepared that day.
        day = timezone.localtime(event.created_at).date()
        meeting = services.next_meeting(demand.park, kind, today=day)
        if meeting is not None:
            services.put_on_agenda(
                meeting,
                demand,
                source=AgendaSource.ESCALATED,
                actor=event.actor,
                at=event.created_at,
            )


def _on_redispatch(event: Event) -> None:
    link = DecisionTask.objects.filter(task_id=event.task_id).first() if event.task_id else None
    if link is None or not (event.data or {}).get("to"):
        return
    new = (
        Task.objects.filter(demand_id=event.demand_id, department__name=event.data["to"])
        .order_by("-id")
        .first()
    )
    if new is not None and not DecisionTask.objects.filter(task=new).exists():
        DecisionTask.objects.create(decision=link.decision, task=new)


# --------------------------------------------------------------------------- 往期交办事项


class TaskState:
    ON_TIME = "on_time"
    LATE = "late"
    OPEN = "open"
    OVERDUE = "overdue"
    DONE_UNTIMED = "done_untimed"
    LABELS = {
        ON_TIME: "按时办结",
        LATE: "超期办结",
        OPEN: "办理中",
        OVERDUE: "逾期未办结",
        DONE_UNTIMED: "已办结（时限未知）",
    }
    DONE = (ON_TIME, LATE, DONE_UNTIMED)


# How a decision without tasks stands: settled at the meeting, or handed to the experts.
SETTLED = {
    DecisionKind.ON_SPOT: ("settled", "已现场答复"),
    DecisionKind.EXPLAINED: ("settled", "已政策解释"),
    DecisionKind.EXPERT: ("referred", "已转专家会诊"),
}


def consultation_state(c: Consultation) -> tuple[str, str]:
    """A 专家会诊 decision follows its consultation: referred until the chair records the
    conclusion, then settled with it."""
    if c.status == ConsultationStatus.CONCLUDED:
        return "settled", f"会诊已形成结论（{c.get_conclusion_kind_display()}）"
    return "referred", f"已转专家会诊 · {c.get_status_display()}"


def task_state(task: Task, as_of: dt.date) -> str:
    """Done on time / done late / open / overdue, as the ledger stood at the end of `as_of`."""
    if task.status == TaskStatus.ANSWERED and task.answered_at is not None:
        answered = timezone.localtime(task.answered_at).date()
        if answered <= as_of:
            if task.deadline is None:  # 时限未知: done, neither on time nor late
                return TaskState.DONE_UNTIMED
            return TaskState.ON_TIME if answered <= task.deadline else TaskState.LATE
    if task.deadline is None:
        return TaskState.OPEN
    return TaskState.OVERDUE if as_of > task.deadline else TaskState.OPEN


def decision_state(tasks: list[tuple[Task, str]]) -> str:
    states = [s for _, s in tasks]
    if states and all(s in TaskState.DONE for s in states):
        if TaskState.LATE in states:
            return TaskState.LATE
        return TaskState.ON_TIME if TaskState.ON_TIME in states else TaskState.DONE_UNTIMED
    if TaskState.OVERDUE in states:
        return TaskState.OVERDUE
    return TaskState.OPEN


@dataclass
class FollowUp:
    decision: Decision
    meeting: Meeting
    tasks: list[tuple[Task, str]] = field(default_factory=list)
    state: str = ""
    label: str = ""


def as_of(meeting: Meeting, today: dt.date | None = None) -> dt.date:
    """The day a report is given for: today while preparing, the meeting day once held."""
    today = today or timezone.localdate()
    return today if meeting.status == MeetingStatus.PREPARING else min(meeting.date, today)


def follow_ups(decisions, day: dt.date) -> list[FollowUp]:
    decisions = list(
        decisions.select_related(
            "meeting", "item", "item__demand", "item__enterprise", "consultation"
        )
    )
    links: dict[int, list[Task]] = {}
    for link in (
        DecisionTask.objects.filter(decision__in=decisions)
        .select_related("task", "task__department")
        .order_by("-task__role", "task_id")
    ):
        if link.task.status != TaskStatus.CANCELLED:
            links.setdefault(link.decision_id, []).append(link.task)
    out = []
    for d in decisions:
        f = FollowUp(d, d.meeting)
        if d.kind == DecisionKind.TASKS:
            f.tasks = [(t, task_state(t, day)) for t in links.get(d.pk, [])]
            f.state = decision_state(f.tasks)
            f.label = TaskState.LABELS[f.state]
        elif d.kind == DecisionKind.EXPERT and d.consultation is not None:
            f.state, f.label = consultation_state(d.consultation)
        else:
            f.state, f.label = SETTLED[d.kind]
        out.append(f)
    return out


def previous(meeting: Meeting) -> list[FollowUp]:
    """往期交办事项落实情况: every decision of the park's earlier meetings of the same kind."""
    earlier = Decision.objects.filter(
        meeting__park=meeting.park, meeting__kind=meeting.kind
    ).exclude(meeting=meeting)
    earlier = earlier.filter(meeting__date__lte=meeting.date).exclude(
        meeting__date=meeting.date, meeting__id__gt=meeting.pk
    )
    earlier = earlier.order_by("meeting__date", "meeting_id", "item__order", "id")
    return follow_ups(earlier, as_of(meeting))


def summary(rows: list[FollowUp]) -> dict[str, int]:
    out = {"total": len(rows), "on_time": 0, "late": 0, "open": 0, "overdue": 0, "settled": 0}
    out["referred"] = 0
    for r in rows:
        out[r.state] = out.get(r.state, 0) + 1
    return out
