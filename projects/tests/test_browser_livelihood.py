"""重点民生项目清单 on a phone (375 px): the unit's handler opens the list and the project page and
reports progress; neither page scrolls sideways (Person.shot asserts it) and both are photographed
at 1366 and 375 px under build/screenshots/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import World, build_world
from projects import livelihood
from projects.models import LivelihoodProject
from qinshang.browsertests import PHONE, Person, click_and_wait_success, require_chromium

sync_api = require_chromium()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def test_livelihood_list_and_progress_on_a_phone(browser, live_server):
    w: World = build_world()
    project = livelihood.add_project(
        w.users["dispatcher"],
        w.park,
        livelihood.LivelihoodInput(
            name="桂花村螃蟹组机井饮水工程（地质性缺水，打造机井解决居民吃水）",
            department_id=w.dept_a.pk,
            due=timezone.localdate() + dt.timedelta(days=45),
            description="地质性缺水，打造机井解决居民吃水",
            community="桂花村",
            contact="李大爷",
            phone="13900002222",
            category_id=w.cat_finance.pk,
        ),
    )
    h = Person(browser, live_server.url, "hand_a", viewport=PHONE, accept_dialogs=False)
    h.go("/projects/livelihood/")
    h.shot("livelihood-list")
    h.go(f"/projects/livelihood/{project.pk}/")
    h.page.fill("#pr-progress", "35")
    h.page.fill("#pr-note", "机井已打成，正在铺设管道")
    click_and_wait_success(h.page, "#progress-form button.primary")
    assert LivelihoodProject.objects.get().progress == 35
    h.shot("livelihood-detail")
