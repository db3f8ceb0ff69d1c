"""The demo year's higher rungs: escalations heard at 企业接待日 (the 9th rule) and weekly
重点项目调度会, decisions that create ledger tasks, the departments' answers and the minutes.

Each day of the year is played in date order, and every service is told the moment it acts
(`at=`), as the rest of the seeding does: a meeting cannot be dated before its `at`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from demands import services as ds
from demands.models import Demand, Outcome, Status, TaskRole, TaskStatus, Tier
from demo.experts import consult, pool
from entities.models import MarketEntity
from meetings import services as ms
from meetings.models import (
    AgendaItem,
    AgendaSource,
    DecisionKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from orgs.models import Role, User
from workcal import calendar as wcal

if TYPE_CHECKING:
    from demo.seeding import LedgerSimulator

TZ = timezone.get_fixed_timezone(8 * 60)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


PROJECT_DEPTS = ["投资促进局", "自然资源和规划分局", "规划建设局", "公用事业服务中心"]
DECISION_TEXTS = [
    "由{lead}牵头，{days}个工作日内拿出解决方案并书面答复企业",
    "{lead}主办，会同相关部门现场核实，{days}个工作日内办结",
    "责成{lead}专题研究，限{days}个工作日内落实到位，派单中心跟踪督办",
    "{lead}负责对接企业，{days}个工作日内反馈办理结果",
]
NOTES = [
    "企业代表介绍了问题由来和目前困难，责任部门说明了前期办理情况和存在的政策障碍。",
    "经会商，问题具备解决条件，关键在于部门间协同，会议明确了牵头部门和完成时限。",
    "企业反映事项涉及多个部门职责交叉，会议逐项厘清责任，明确专人跟进。",
]


class Ladder:
    def __init__(self, sim: LedgerSimulator, scale: float = 1.0):
        # A smaller park brings fewer new problems to its meetings (the year's count of
        # meetings stays: 12 接待日 and the weekly 调度会).
        self.scale = min(1.0, scale)
        self.sim = sim
        self.rng = sim.rng
        self.park = sim.park
        self.now = sim.now
        self.disp = User.objects.get(username="dispatcher")
        self.chair = User.objects.filter(park=self.park, role=Role.LEADER).order_by("pk").first()
        self.codes: dict[int, str] = {}
        self.sixth_done = False
        self.by_name = {d.name: d.pk for d in sim.depts.values()}
        self.figures = {
            "meetings": 0,
            "decisions": 0,
            "minutes": 0,
            "escalated": 0,
            "consultations": 0,
        }
        self.consults: list[tuple[dt.date, int]] = []

    def plan_consultations(self, legacy: list[int]) -> None:
        """About three in four legacy items are put before a panel, spread over the year."""
        today = timezone.localtime(self.now).date()
        chosen = [pk for pk in legacy if self.rng.random() < 0.78]
        self.consults = sorted(
            (today - dt.timedelta(days=self.rng.randint(8, 320)), pk) for pk in chosen
        )

    def run(self, days: int = 365) -> dict[str, int]:
        # Decided items run their whole course (the simulator's stop-at-a-stage is for intake).
        self.sim.stop_stage = None
        waiting = sorted(self.sim.waiting)
        self.codes = {pk: code for _, pk, _, code in waiting}
        start = timezone.localtime(self.now).date() - dt.timedelta(days=days)
        today = timezone.localtime(self.now).date()
        for kind, enabled in ((MeetingKind.RECEPTION, True), (MeetingKind.PROJECT, True)):
            ms.update_schedule(
                self.disp,
                self.park,
                kind,
                ms.ScheduleInput(
                    enabled=enabled,
                    day_of_month=9,
                    weekday=0,
                    lead_working_days=5,
                    start_time="09:00" if kind == MeetingKind.RECEPTION else "15:00",
                    place="管委会三楼会议室" if kind == MeetingKind.RECEPTION else "项目调度室",
                    chair_id=self.chair.pk if self.chair else None,
                ),
            )
        self.experts = pool(self)
        day = start
        while day <= today:
            morning = _at(day, 8, 30)
            while waiting and waiting[0][0] < morning:
                t, pk, tier, _ = waiting.pop(0)
                self.escalate(pk, tier, t)
            if wcal.is_workday(day) and morning < self.now:
                while self.consults and self.consults[0][0] <= day:
                    _, pk = self.consults.pop(0)
                    consult(self, Demand.objects.get(pk=pk), day, self.experts)
                    self.figures["consultations"] += 1
                with transaction.atomic():
                    ms.schedule_meetings(today=day, park=self.park, at=morning)
                for m in Meeting.objects.filter(
                    park=self.park, date=day, status=MeetingStatus.PREPARING
                ).order_by("kind"):
                    if _at(day, 18) < self.now:
                        self.hold(m)
            day += dt.timedelta(days=1)
        for t, pk, tier, _ in waiting:
            if t < self.now:
                self.escalate(pk, tier, t)
        return self.figures

    def escalate(self, pk: int, tier: str, t: dt.datetime) -> None:
        d = Demand.objects.get(pk=pk)
        with ds.quiet(), transaction.atomic():
            ds.escalate(
                self.rng.choice(self.sim.leaders or self.sim.dispatchers),
                d,
                tier=Tier(tier),
                note=f"部门协调难度较大，提交{Tier(tier).label}研究解决",
                at=t,
            )
        self.figures["escalated"] += 1

    def hold(self, m: Meeting) -> None:
        rng = self.rng
        start = _at(m.date, m.start_time.hour if m.start_time else 9)
        reception = m.kind == MeetingKind.RECEPTION
        with ds.quiet(), transaction.atomic():
            items = list(m.items.filter(removed=False).select_related("demand").order_by("order"))
            sixth = reception and m.number == 6 and not self.sixth_done
            # The 6th 接待日 hears four enterprises; the others as many as a morning allows.
            cap = 4 if sixth else (6 if reception else 5)
            seen: set[int] = set()
            # Key projects whose earlier decision's tasks are still being carried out on this
            # day (the ledger already holds their later answers: each decision is played to
            # its end when it is taken).
            pending = set(
                AgendaItem.objects.filter(
                    meeting__park=self.park,
                    meeting__kind=m.kind,
                    source=AgendaSource.PROJECT,
                    decisions__links__task__assigned_at__lt=start,
                )
                .filter(
                    Q(decisions__links__task__answered_at__isnull=True)
                    | Q(decisions__links__task__answered_at__gt=start)
                )
                .values_list("source_ref", flat=True)
            )
            keep: list[AgendaItem] = []
            projects_heard = 0
            for it in items:
                if it.source == AgendaSource.PROJECT and it.source_ref in pending:
                    # An earlier 调度会 gave this project's slip to departments and they are on it:
                    # the meeting hears their progress in the 往期 report, not a second decision.
                    ms.remove_item(
                        self.disp,
                        m,
                        item_id=it.pk,
                        reason="上期议定事项正在落实，进度见往期交办事项落实情况",
                        at=start,
                    )
                    continue
                if it.source == AgendaSource.PROJECT:
                    # One slipping project a week is reviewed in depth; the rest are in the list.
                    projects_heard += 1
                    if projects_heard > 1 or rng.random() < 0.4:
                        ms.remove_item(
                            self.disp,
                            m,
                            item_id=it.pk,
                            reason="本期重点听取提级事项，项目进度书面通报",
                            at=start,
                        )
                        continue
                if it.demand is not None and it.demand.status not in ds.DECIDABLE_STATUSES:
                    ms.remove_item(
                        self.disp, m, item_id=it.pk, reason="诉求已答复，进入回访销号环节", at=start
                    )
                    continue
                ent_id = it.demand.enterprise_id if it.demand else it.enterprise_id
                if len(keep) < cap and (ent_id is None or ent_id not in seen):
                    keep.append(it)
                    if ent_id:
                        seen.add(ent_id)
                else:
                    ms.remove_item(
                        self.disp, m, item_id=it.pk, reason="本期时间有限，转下期研究", at=start
                    )
            # Enterprises also bring new problems to the table (recorded in the ledger as they
            # are raised); a week without escalations reviews a key project's progress.
            if sixth:
                want = 4
            elif reception:
                want = max(1, round(rng.randint(2, 4) * self.scale))
            else:
                want = 1 if rng.random() < self.scale else 0
            while len(keep) < want:
                pool = (
                    [e for e in self.sim.ents if e.pk not in seen]
                    if reception
                    else [e for e in self.sim.ents if e.kind == "project" and e.pk not in seen]
                )
                pick = rng.choice(pool)
                seen.add(pick.pk)
                code, data = self.new_problem(pick, m.date, reception)
                it = ms.add_item(self.disp, m, data, at=start)
                if code and it.demand_id:
                    self.codes[it.demand_id] = code
                keep.append(it)
            if sixth:
                self.sixth_done = True
            if not keep:
                return
            m = ms.hold(self.disp, m, at=start)
            depts: set[int] = set()
            for it in keep:
                if it.demand is not None:
                    depts.update(it.demand.tasks.values_list("department_id", flat=True))
            ents = {it.demand.enterprise_id if it.demand else it.enterprise_id for it in keep}
            plan = []
            for it in keep:
                busy: set[int] = set()
                if it.demand is not None:
                    busy = set(
                        it.demand.tasks.filter(status__in=ds.ACTIVE_TASK_STATUSES).values_list(
                            "department_id", flat=True
                        )
                    )
                # The meeting puts a department that can unblock the matter in the lead; the
                # department already on it keeps its own task.
                free = [
                    x.pk
                    for x in self.sim.depts.values()
                    if not x.is_dispatch_centre and x.pk not in busy
                ]
                # The lead the matter's category calls for, its co-departments when that one is
                # already on it, the project departments for a key project's slip.
                cat = self.sim.cats.get(self.codes.get(it.demand_id or 0, ""))
                wanted = []
                if cat is not None:
                    if cat.default_department_id:
                        wanted.append(cat.default_department_id)
                    wanted += [c.pk for c in cat.default_co_departments.all()]
                else:
                    wanted = [self.by_name[n] for n in PROJECT_DEPTS if n in self.by_name]
                wanted = [x for x in wanted if x in free]
                lead = wanted[0] if wanted else rng.choice(free)
                co = None
                if rng.random() < 0.4:
                    co = rng.choice([x for x in (wanted[1:] or free) if x != lead])
                depts.add(lead)
                if co:
                    depts.add(co)
                plan.append((it, lead, co))
            ms.set_attendance(
                self.disp,
                m,
                department_ids=sorted(depts),
                enterprise_ids=sorted(e for e in ents if e),
                others=f"派单中心 {self.disp.display_name}",
                at=start,
            )
            for it, lead, co in plan:
                ms.set_notes(self.disp, m, item_id=it.pk, notes=rng.choice(NOTES), at=start)
                days = rng.choice([5, 10, 10, 15])
                specs = [ms.TaskSpec(lead, TaskRole.LEAD, days)]
                if co:
                    specs.append(ms.TaskSpec(co, TaskRole.CO, days))
                text = rng.choice(DECISION_TEXTS).format(lead=self.sim.depts[lead].name, days=days)
                ms.decide(
                    self.disp,
                    m,
                    item_id=it.pk,
                    kind=DecisionKind.TASKS,
                    text=text,
                    tasks=specs,
                    at=start,
                )
                self.figures["decisions"] += 1
            self.figures["meetings"] += 1
        issued = _at(wcal.add_working_days(m.date, 1), 16)
        if issued < self.now:
            with ds.quiet(), transaction.atomic():
                ms.issue_minutes(self.disp, m, at=issued)
            self.figures["minutes"] += 1
        for it, _, _ in plan:
            it.refresh_from_db()
            if it.demand_id:
                self.answer(Demand.objects.get(pk=it.demand_id), start)

    def new_problem(
        self, ent: MarketEntity, day: dt.date, reception: bool
    ) -> tuple[str, ms.ItemInput]:
        from demo import textgen as tg

        if not reception:
            return "", ms.ItemInput(
                enterprise_id=ent.pk,
                title=f"{ent.name}项目建设推进中的要素保障问题",
                description="项目方反映用地、用电、用工等要素保障需进一步协调，影响建设进度。",
            )
        code = tg.random_category(self.rng, kind=ent.kind)
        title, text = tg.demand_text(self.rng, code, self.sim.profiles.get(ent.name), today=day)
        return code, ms.ItemInput(enterprise_id=ent.pk, title=title[:200], description=text)

    def answer(self, d: Demand, since: dt.datetime) -> None:
        """The departments carry out the decision: sign, reply (some late, then urged), rated."""
        rng = self.rng
        sim = self.sim
        code = self.codes.get(d.pk) or (d.category.code if d.category else "")
        if code not in sim.cats:
            code = next(iter(sim.cats))
        recent = self.now - dt.timedelta(days=25)
        last = since
        with ds.quiet() if since < recent else contextlib.nullcontext(), transaction.atomic():
            for task in list(d.tasks.filter(status=TaskStatus.PENDING)):
                ts = max(
                    _at(wcal.add_working_days(since.date(), rng.choice([0, 1])), 10, 30),
                    since + dt.timedelta(minutes=rng.randint(40, 180)),
                )
                if sim.done(ts):
                    return
                d = ds.sign(sim.handler(task.department_id), d, task_id=task.pk, at=ts)
            for task in list(d.tasks.filter(status=TaskStatus.SIGNED).order_by("-role")):
                limit = task.time_limit_days
                took = max(1, int(rng.triangular(1, limit * 1.4, limit * 0.7)))
                tr = _at(wcal.add_working_days(since.date(), took), rng.randint(9, 17))
                sim.urge_late(d, task.pk, until=min(tr, self.now))
                if sim.done(tr):
                    return
                outcome = rng.choices(["solved", "partly", "explained"], weights=[80, 12, 8])[0]
                dept = sim.depts[task.department_id].name
                d = ds.reply(
                    sim.handler(task.department_id),
                    d,
                    task_id=task.pk,
                    outcome=Outcome(outcome),
                    at=tr,
                    answer=tg_answer(rng, code, outcome, dept, tr.date()),
                )
                last = max(last, tr)
            d.refresh_from_db()
            if d.status == Status.ANSWERED:
                sim.rate_and_close(d, last, code)


def tg_answer(rng: random.Random, code: str, outcome: str, dept: str, day: dt.date) -> str:
    from demo import textgen as tg

    return tg.answer_text(rng, code, outcome, department=dept, today=day)
