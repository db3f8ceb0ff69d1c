"""The demo's escalation-rule proposals (the hourly scan, some accepted, some dismissed) and a
handful of 督查 inspections with rectification, played at their dates through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from demands import services as ds
from demands.models import Event
from escalation import services as xs
from escalation.models import Proposal, ProposalStatus
from orgs.models import Role, User
from qinshang.errors import InvalidState
from supervision import services as ss
from workcal import calendar as wcal

Ladder = Any  # demo.ladder.Ladder; not imported, ladder imports this module

TZ = timezone.get_fixed_timezone(8 * 60)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def proposals(ladder: Ladder) -> dict[str, int]:
    """The scan runs over the ledger as it stands; the dispatch centre has worked through the
    proposals of three weeks ago and left the newest open."""
    rng = ladder.rng
    park = ladder.park
    today = timezone.localtime(ladder.now).date()
    out = {"accepted": 0, "dismissed": 0}
    earlier = wcal.add_working_days(today - dt.timedelta(days=23), 0)
    with ds.quiet():
        xs.scan(park, today=earlier, at=_at(earlier, 7))
    for p in Proposal.objects.filter(park=park, status=ProposalStatus.OPEN).order_by("pk"):
        r = rng.random()
        if r > 0.7:
            continue
        when = _at(wcal.add_working_days(earlier, rng.randint(0, 3)), rng.randint(9, 17))
        with ds.quiet(), transaction.atomic():
            if r < 0.4:
                try:
                    with transaction.atomic():
                        xs.accept(ladder.disp, p, note="同意提级，列入下期会议研究", at=when)
                    out["accepted"] += 1
                    continue
                except InvalidState:
                    # The item reached that rung by another way before the centre got to it.
                    note = "该诉求已在拟提级的层级协调，无需再提级"
            else:
                note = "部门已明确办结时间，继续在部门层级督办"
            xs.dismiss(ladder.disp, p, note=note, at=when)
            out["dismissed"] += 1
    with ds.quiet():
        xs.scan(park, today=today, at=min(_at(today, 7), ladder.now))
    return out


def inspections(ladder: Ladder, n: int = 6) -> int:
    """督查 every other month of the department with the most urged items in the weeks before."""
    rng = ladder.rng
    park = ladder.park
    today = timezone.localtime(ladder.now).date()
    made = 0
    for k in range(n):
        day = wcal.add_working_days(today - dt.timedelta(days=330 - k * 60), 0)
        since = _at(day - dt.timedelta(days=60), 0)
        urged = Event.objects.filter(
            demand__park=park, action="urge", created_at__gte=since, created_at__lt=_at(day, 0)
        ).select_related("demand")
        by_dept: dict[int, set[int]] = {}
        for e in urged:
            for t in e.demand.tasks.all():
                by_dept.setdefault(t.department_id, set()).add(e.demand_id)
        if not by_dept:
            continue
        dept_id = max(by_dept, key=lambda x: (len(by_dept[x]), -x))
        ids = sorted(by_dept[dept_id])[:8]
        name = ladder.sim.depts[dept_id].name
        with ds.quiet(), transaction.atomic():
            insp = ss.create(
                ladder.disp,
                park,
                ss.NewInspection(
                    department_id=dept_id,
                    demand_ids=ids,
                    findings=f"{name}近两个月有 {len(ids)} 件诉求经催办仍逾期，签收后跟进不及时，"
                    "办理进度未及时反馈企业。",
                    rectification_days=rng.choice([5, 10]),
                    inspected_on=day,
                ),
                at=_at(day, 10),
            )
        made += 1
        head = User.objects.filter(
            park=park, department_id=dept_id, role=Role.DEPARTMENT_HEAD
        ).first()
        rep = _at(wcal.add_working_days(day, rng.randint(3, 8)), 16)
        if head is None or rep >= ladder.now:
            continue
        with ds.quiet(), transaction.atomic():
            insp = ss.report(
                head,
                insp,
                "已逐件核查逾期诉求，明确专人跟踪，建立周调度机制，逾期件已全部答复。",
                at=rep,
            )
        ver = _at(wcal.add_working_days(rep.date(), 2), 11)
        if ver >= ladder.now:
            continue
        passed = k != 2
        with ds.quiet(), transaction.atomic():
            ss.verify(
                ladder.disp,
                insp,
                passed=passed,
                note="整改到位，予以验收" if passed else "个别逾期件仍未答复，退回继续整改",
                at=ver,
            )
    return made
