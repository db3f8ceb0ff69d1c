"""Formula injection in the campaign workbook: answers, visit notes and question texts that a
spreadsheet would run come out as text."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from orgs.models import User
from qinshang.tests.sheetcheck import PAYLOADS, assert_text_cells
from visits import services
from visits.models import Answer, Visit
from visits.tests.test_campaigns import answers, make_campaign

pytestmark = pytest.mark.django_db


def login(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_campaign_export_writes_answers_as_text(world) -> None:  # type: ignore[no-untyped-def]
    c, qs = make_campaign(world)
    services.launch(world.users["dispatcher"], c)
    given = answers(qs, problem=False)
    given[0].value, given[0].follow_up = "yes", PAYLOADS[3]
    given[-1].value = PAYLOADS[0]
    services.record_visit(
        world.users["liaison"],
        c,
        services.VisitInput(
            entity_id=world.enterprise.pk,
            visited_on=timezone.localdate(),
            people_met=PAYLOADS[1],
            note=PAYLOADS[2],
            answers=given,
        ),
    )
    v = Visit.objects.get(campaign=c)
    texts = (
        v.people_met,
        v.note,
        Answer.objects.get(visit=v, question=qs[-1]).value,
        Answer.objects.get(visit=v, question=qs[0]).follow_up_answer,
    )
    assert texts == PAYLOADS[1:3] + (PAYLOADS[0], PAYLOADS[3])
    r = login(world.users["leader"]).get(f"/visits/{c.pk}/export.xlsx")
    assert r.status_code == 200
    assert_text_cells(r.content, texts)
