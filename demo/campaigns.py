"""The demo year's 大走访: themed campaigns with their e-questionnaires (demo/data/campaigns.toml),
launched to the liaisons, visits recorded by each entity's liaison through `visits.services`, and
the problems they find turned into demands (channel 走访) by `record_visit` itself.

Each visit is recorded at its moment (`record_visit(..., at=)`: a visit cannot be dated after
the day it is recorded); the demand it raised then runs its course in the ledger like every
other demand of the simulator, with `at=` times.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from demands import services as ds
from demands.models import Category, Demand
from demo import textgen as tg
from entities.models import MarketEntity
from orgs.models import User
from visits import services as vs
from visits.models import Campaign, Outcome, QuestionKind, Target
from workcal import calendar as wcal

if TYPE_CHECKING:
    from demo.seeding import LedgerSimulator

TZ = timezone.get_fixed_timezone(8 * 60)
DATA = Path(__file__).with_name("data") / "campaigns.toml"
# Of all demands of the year, the share found by visits (the rest comes by hotline, portal,
# liaisons' everyday contact, 接待日 …): the seeds' ledger is mostly visit-found.
VISIT_SHARE = 0.4


def plan() -> dict[str, Any]:
    with DATA.open("rb") as f:
        data = tomllib.load(f)
    for c in data["campaign"]:
        for q in c["question"]:
            code = q.get("category")
            if code and code not in tg.SUBCATEGORIES:
                raise ValueError(f"{c['title']}：未知的诉求类别 {code!r}")
    return data


def _fit_note(note: str, problems: int) -> str:
    """A visit note (textgen's, some written for a phone call) told as this visit went: in
    person, with the number of problems it really registered."""
    note = note.replace("电话回访", "上门走访")
    said = f"提出问题{problems}项，已登记转入问题台账" if problems else "暂无需要交办的问题"
    note = re.sub(r"提出诉求\d+项，现场解答\d+项，其余已录入平台交办", said, note)
    note = re.sub(r"提出诉求\d+项", said, note)
    return note.replace("暂无新的诉求", said)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


@dataclass
class Figures:
    campaigns: int = 0
    targets: int = 0
    visits: int = 0
    refused: int = 0
    problems: int = 0


class Campaigns:
    def __init__(self, sim: LedgerSimulator, problems: int):
        self.sim = sim
        self.rng = sim.rng
        self.park = sim.park
        self.now = sim.now
        self.today = timezone.localtime(self.now).date()
        self.data = plan()
        self.disp = User.objects.get(username="dispatcher")
        self.ents = {e.pk: e for e in sim.ents}
        self.cats = {c.code: c.pk for c in Category.objects.filter(park=self.park)}
        self.figures = Figures()
        self.problem_rate = 0.0
        self.wanted = problems

    def slots(self, c: dict[str, Any]) -> float:
        """Expected answers to the campaign's problem questions (visits × such questions)."""
        targets = vs.target_entities(
            Campaign(
                park=self.park,
                target_kinds=c.get("kinds", []),
                target_tiers=c.get("tiers", []),
                target_industries=c.get("industries", []),
            )
        ).count()
        asked = sum(1 for q in c["question"] if q.get("category"))
        return targets * c["visited"] * self._elapsed(c) * asked

    def _elapsed(self, c: dict[str, Any]) -> float:
        return min(1.0, c["start_days_ago"] / c["days"])

    def run(self) -> Figures:
        slots = [self.slots(c) for c in self.data["campaign"]]
        for i, c in enumerate(self.data["campaign"]):
            # The chance that a problem question finds a problem, set again before each campaign
            # from what is still wanted, so that visits find about the share asked for.
            left = sum(slots[i:])
            wanted = self.wanted - self.figures.problems
            self.problem_rate = min(0.6, max(0.0, wanted / left)) if left else 0.0
            self.campaign(c)
        return self.figures

    def campaign(self, c: dict[str, Any]) -> None:
        rng = self.rng
        start = wcal.add_working_days(self.today - dt.timedelta(days=c["start_days_ago"]), 0)
        end = start + dt.timedelta(days=c["days"] - 1)
        with ds.quiet(), transaction.atomic():
            campaign = vs.create_campaign(
                self.disp,
                self.park,
                vs.CampaignInput(
                    title=c["title"],
                    theme=c["theme"],
                    description=c.get("description", ""),
                    start_date=start,
                    end_date=end,
                    target_kinds=c.get("kinds", []),
                    target_industries=c.get("industries", []),
                    target_tiers=c.get("tiers", []),
                ),
                at=_at(start - dt.timedelta(days=7), 10),
            )
            for q in c["question"]:
                vs.add_question(
                    self.disp,
                    campaign,
                    vs.QuestionInput(
                        text=q["text"],
                        kind=q["kind"],
                        options=q.get("options", []),
                        required=q.get("required", True),
                        follow_up=q.get("follow_up", ""),
                        follow_up_on=q.get("follow_up_on", "yes"),
                        category_id=self.cats.get(q.get("category", "")),
                    ),
                )
        # Launched on its first day: the targets go to each entity's liaison (我的走访).
        with ds.quiet():
            self.figures.targets += vs.launch(self.disp, campaign, at=_at(start, 8, 30))
        self.figures.campaigns += 1
        questions = list(campaign.questions.order_by("order", "pk"))
        spec = {q["text"]: q for q in c["question"]}
        last = min(end, self.today)
        days = [
            d
            for d in (start + dt.timedelta(days=i) for i in range((last - start).days + 1))
            if wcal.is_workday(d)
        ]
        targets = list(Target.objects.filter(campaign=campaign).values_list("entity_id", flat=True))
        rng.shuffle(targets)
        share = self._elapsed(c)
        n_visit = round(len(targets) * c["visited"] * share)
        n_refuse = round(len(targets) * c["refused"] * share)
        plan = [(e, Outcome.VISITED) for e in targets[:n_visit]] + [
            (e, Outcome.REFUSED) for e in targets[n_visit : n_visit + n_refuse]
        ]
        # Visits bunch at the start of a campaign, as liaisons go out in its first weeks.
        dated = sorted(
            (days[min(len(days) - 1, int(rng.random() ** 1.4 * len(days)))], e, o) for e, o in plan
        )
        recent = self.now - dt.timedelta(days=25)
        for day, ent_id, outcome in dated:
            at = _at(day, rng.randint(9, 16), rng.randint(0, 59))
            if at >= self.now:
                at = self.now - dt.timedelta(minutes=rng.randint(5, 120))
            hush = ds.quiet() if at < recent else contextlib.nullcontext()
            with hush, transaction.atomic():
                self.visit(campaign, questions, spec, self.ents[ent_id], outcome, at)
        if end < self.today:
            vs.close(self.disp, campaign, at=_at(end + dt.timedelta(days=1), 9))

    def visit(
        self,
        campaign: Campaign,
        questions: list[Any],
        spec: dict[str, dict[str, Any]],
        ent: MarketEntity,
        outcome: str,
        at: dt.datetime,
    ) -> None:
        rng = self.rng
        profile = self.sim.profiles.get(ent.name)
        liaison = ent.liaison or self.disp
        answers: list[vs.AnswerInput] = []
        note = ""
        people = ""
        found: list[str] = []
        if outcome == Outcome.VISITED:
            fits = set(tg.categories_for(ent.kind))
            people = f"{profile.contact}（{profile.position}）" if profile else "企业负责人"
            if profile:
                note = tg.visit_note_text(
                    rng, profile, liaison=liaison.display_name, today=at.date()
                )
            for q in questions:
                a = self.answer(q, spec[q.text], ent, fits, at.date())
                if a.is_problem:
                    found.append(spec[q.text]["category"])
                answers.append(a)
            note = _fit_note(note, len(found))
        else:
            note = rng.choice(self.data["refusal"]["notes"])
        visit = vs.record_visit(
            liaison,
            campaign,
            vs.VisitInput(
                entity_id=ent.pk,
                visited_on=at.date(),
                outcome=outcome,
                people_met=people,
                note=note,
                answers=answers,
            ),
            at=at,
        )
        if outcome == Outcome.VISITED:
            self.figures.visits += 1
        else:
            self.figures.refused += 1
        if not found:
            return
        # The demands the visit raised run their course from the visit on.
        self.sim.street = profile.street if profile else None
        recent = self.now - dt.timedelta(days=25)
        raised = visit.answers.filter(demand__isnull=False).select_related("demand", "question")
        for row in raised:
            self.figures.problems += 1
            d: Demand | None = row.demand
            if d is None:
                continue
            code = next(k for k, v in self.cats.items() if v == row.question.category_id)
            self.sim.stop_stage = self.sim.pick_stop_stage(at) if at > recent else None
            self.sim.progress(d, at, code, ent)
        self.sim.stop_stage = None

    def answer(
        self,
        q: Any,
        spec: dict[str, Any],
        ent: MarketEntity,
        fits: set[str],
        today: dt.date,
    ) -> vs.AnswerInput:
        rng = self.rng
        a = vs.AnswerInput(question_id=q.pk)
        kind = q.kind
        if kind == QuestionKind.SINGLE:
            a.value = rng.choices(q.options, weights=spec.get("weights"))[0]
        elif kind == QuestionKind.MULTI:
            options = list(q.options)
            none = [o for o in options if o.startswith("暂无")]
            some = [o for o in options if o not in none]
            if none and rng.random() < 0.25:
                a.value = none[:1]
            else:
                a.value = rng.sample(some, rng.randint(1, min(3, len(some))))
        elif kind == QuestionKind.NUMBER:
            lo, hi = spec["range"]
            a.value = str(rng.randint(lo, hi))
        elif kind == QuestionKind.TEXT:
            if rng.random() < 0.5:
                a.value = rng.choice(spec["answers"])
        elif kind == QuestionKind.YESNO:
            problem_on = q.follow_up_on or "yes"
            other = "no" if problem_on == "yes" else "yes"
            code = spec.get("category")
            problem = bool(code) and code in fits and rng.random() < self.problem_rate
            a.value = problem_on if problem else other
            if problem and code:
                profile = self.sim.profiles.get(ent.name)
                title, text = tg.demand_text(rng, code, profile, today=today)
                # Raised during the visit, not at a meeting as some intros have it.
                text = text.replace("在“亲商优商企业接待日”反映：", "在走访中反映：").replace(
                    "在重点项目调度会上，", "走访时，"
                )
                # The note says it all (its first line becomes the demand's title); a follow-up
                # answer would only repeat it in the demand's description.
                a.is_problem = True
                a.problem_note = f"{title}\n{text}"
        return a
