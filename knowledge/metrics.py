"""The knowledge base's figures for a period (demands received in [start, end], as the ledger's
figures are; definitions in docs/metrics.md):

- 直办率 = answered demands that had no 交办 task ÷ answered demands;
- 知识库答复占比 = answered demands whose answer used an entry (采用 on the spot, or a 三方连线
  with the entry's 政策专员) ÷ answered demands;
- 门户自助解决率 = portal questions closed with “已解决，不再提交” ÷ (those + demands submitted
  on the portal), both in the period;
- entries past review (or past validity) per department, as of the period's end.

Each is a few aggregate queries whatever the ledger's size. reports (room 9) reads them for the
dashboard and the briefing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from demands.models import Channel, Demand, Status, Task
from knowledge.models import Entry, EntryLink, EntryStatus, LinkVia, SelfServe
from orgs.models import Park

DEFINITIONS = {
    "direct": "直办率 = 期内受理且已答复的诉求中，未经交办（没有部门任务）即答复的件数 ÷ 已答复件数。",
    "from_kb": "知识库答复占比 = 期内受理且已答复的诉求中，答复采用了知识库条目（当场采用或三方连线）的件数 ÷ 已答复件数。",
    "self_service": "门户自助解决率 = 期内企业在门户看到推荐答复后选择“已解决，不再提交”的次数 ÷（该次数 + 期内门户提交的诉求件数）。",
    "past_review": "过期未复核 = 已发布条目中，超过复核周期或已过有效期的条数（按统计截止日）。",
}
ANSWERED = (Status.ANSWERED, Status.CONFIRMED, Status.CLOSED)


@dataclass(frozen=True)
class Share:
    num: int
    den: int

    @property
    def pct(self) -> float | None:
        return round(100 * self.num / self.den, 1) if self.den else None

    def __str__(self) -> str:
        p = self.pct
        return "—" if p is None else f"{p:.1f}%"


@dataclass
class KnowledgeFigures:
    start: dt.date
    end: dt.date
    answered: int
    direct: Share
    from_kb: Share
    self_service: Share
    past_review: list[tuple[int, str, int]] = field(default_factory=list)  # dept id, name, n

    @property
    def past_review_total(self) -> int:
        return sum(n for _, _, n in self.past_review)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    a = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    b = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return a, b


def figures(park: Park, start: dt.date, end: dt.date) -> KnowledgeFigures:
    a, b = _bounds(start, end)
    cohort = Demand.objects.filter(park=park, created_at__gte=a, created_at__lt=b).exclude(
        status=Status.MERGED
    )
    answered = cohort.filter(status__in=ANSWERED)
    agg = answered.aggregate(
        n=Count("pk"),
        direct=Count("pk", filter=~Q(Exists(Task.objects.filter(demand=OuterRef("pk"))))),
        kb=Count(
            "pk",
            filter=Q(
                Exists(
                    EntryLink.objects.filter(
                        demand=OuterRef("pk"), via__in=(LinkVia.ON_SPOT, LinkVia.CONSULT)
                    )
                )
            ),
        ),
    )
    served = SelfServe.objects.filter(park=park, created_at__gte=a, created_at__lt=b).count()
    portal = cohort.filter(channel=Channel.PORTAL).count()
    return KnowledgeFigures(
        start=start,
        end=end,
        answered=agg["n"],
        direct=Share(agg["direct"], agg["n"]),
        from_kb=Share(agg["kb"], agg["n"]),
        self_service=Share(served, served + portal),
        past_review=past_review(park, end),
    )


def past_review(park: Park, as_of: dt.date) -> list[tuple[int, str, int]]:
    rows = (
        Entry.objects.filter(park=park, status=EntryStatus.PUBLISHED)
        .filter(Q(review_due__lt=as_of) | Q(valid_until__lt=as_of))
        .values("department_id", "department__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "department__name")
    )
    return [(r["department_id"], r["department__name"], r["n"]) for r in rows]
