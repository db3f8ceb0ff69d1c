"""The policy pages through the page layer's form helpers: a refused form is shown again with
422, the Chinese message and what was typed; a saved one redirects with its message; the import
page without a file is a 422 and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from policies.models import Policy

pytestmark = pytest.mark.django_db


def login(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _form(**over: str) -> dict[str, str]:
    start = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    return {
        "title": "技改投资奖励",
        "track": "apply",
        "starts_on": start,
        "benefit_kind": "fixed",
        "benefit_amount_wan": "10",
        "status": "draft",
        "rule_field_0": "employees",
        "rule_op_0": "gte",
        "rule_value_0": "10",
    } | over


def test_a_refused_policy_form_is_shown_again_with_the_message_and_the_input(world):
    c = login(world.users["dispatcher"])
    r = c.post("/policies/new/", _form(rule_field_0="profit"))
    body = r.content.decode()
    assert r.status_code == 422
    assert "不存在" in body and 'value="技改投资奖励"' in body
    assert not Policy.objects.exists()


def test_a_saved_policy_form_redirects_to_the_policy_with_its_message(world):
    c = login(world.users["dispatcher"])
    r = c.post("/policies/new/", _form())
    policy = Policy.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/policies/{policy.pk}/"
    assert "已录入“技改投资奖励”" in c.get(r["Location"]).content.decode()
    r = c.post(f"/policies/{policy.pk}/edit/", _form(title="技改投资奖励（修订）"))
    assert r.status_code == 302
    policy.refresh_from_db()
    assert policy.title == "技改投资奖励（修订）"


def test_a_refused_button_says_why_on_the_page_it_came_from(world):
    c = login(world.users["dispatcher"])
    c.post("/policies/new/", _form())
    policy = Policy.objects.get()
    r = c.post(f"/policies/{policy.pk}/apply/", {"entity_id": ""}, follow=True)
    assert r.redirect_chain[-1][0] == f"/policies/{policy.pk}/#applications"
    assert "请选择申请的企业" in r.content.decode()


def test_the_import_page_without_a_file_is_a_422(world):
    r = login(world.users["dispatcher"]).post("/policies/import/", {"dry_run": "1"})
    assert r.status_code == 422 and "请选择要导入的 .xlsx 文件" in r.content.decode()
