"""我的视图: a user saves the ledger's filter under a name, opens it later and sees the ledger as
it is then; views are the user's own, per park; what the ledger would refuse is refused."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from demands import saved, services
from demands.models import SavedView
from qinshang.errors import InvalidInput, NotFound

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _demand(world, title: str):  # type: ignore[no-untyped-def]
    return services.create_demand(
        world.users["dispatcher"],
        world.park,
        services.Intake(
            title=title,
            description="企业反映的问题，请尽快处理。",
            channel="hotline",
            enterprise_id=world.enterprise.pk,
            requester_name="王经理",
            category_id=world.cat_finance.pk,
        ),
    )


def test_a_view_keeps_only_the_ledgers_filters_in_a_fixed_order(world):  # type: ignore[no-untyped-def]
    view, new = saved.save_view(
        world.users["dispatcher"],
        world.park,
        "  本月   贷款 ",
        "page=3&sort=due&q=贷款&unknown=x&status=&overdue=1",
    )
    assert new and view.name == "本月 贷款"
    assert view.query == "q=%E8%B4%B7%E6%AC%BE&overdue=1&sort=due"


def test_the_same_name_replaces_the_filter_and_keeps_one_view(world):  # type: ignore[no-untyped-def]
    u = world.users["dispatcher"]
    saved.save_view(u, world.park, "逾期", "overdue=1")
    view, new = saved.save_view(u, world.park, "逾期", "overdue=1&sort=due")
    assert not new and view.query == "overdue=1&sort=due"
    assert SavedView.objects.filter(user=u).count() == 1


@pytest.mark.parametrize(
    ("name", "query", "message"),
    [
        ("", "overdue=1", "请填写视图名称"),
        ("名" * 31, "overdue=1", "不能超过 30 个字"),
        ("空", "page=2", "没有任何筛选条件"),
        ("坏日期", "date_from=2026-13-40", "格式不正确"),
        ("坏排序", "sort=password", "排序“password”无效"),
        ("坏状态", "status=gone", "状态“gone”无效"),
    ],
)
def test_bad_views_are_refused_in_chinese_and_nothing_is_saved(world, name, query, message):  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as exc:
        saved.save_view(world.users["dispatcher"], world.park, name, query)
    assert message in exc.value.message
    assert not SavedView.objects.exists()


def test_at_most_twenty_views_per_user_and_park(world):  # type: ignore[no-untyped-def]
    u = world.users["handler"]
    for i in range(saved.MAX_VIEWS):
        saved.save_view(u, world.park, f"视图{i}", f"q=词{i}")
    with pytest.raises(InvalidInput, match="最多保存 20 个视图"):
        saved.save_view(u, world.park, "再一个", "q=多")
    assert SavedView.objects.filter(user=u).count() == saved.MAX_VIEWS
    # Replacing one of them is still allowed, and another user has their own twenty.
    saved.save_view(u, world.park, "视图0", "q=换")
    saved.save_view(world.users["dispatcher"], world.park, "再一个", "q=多")


def test_a_view_is_its_owners_only_and_of_one_park(world):  # type: ignore[no-untyped-def]
    mine, _ = saved.save_view(world.users["dispatcher"], world.park, "我的", "overdue=1")
    assert list(saved.views_of(world.users["handler"], world.park)) == []
    assert list(saved.views_of(world.users["dispatcher"], world.other_park)) == []
    with pytest.raises(NotFound):
        saved.delete_view(world.users["handler"], world.park, mine.pk)
    with pytest.raises(NotFound):
        saved.delete_view(world.other_users["dispatcher"], world.other_park, mine.pk)
    assert SavedView.objects.filter(pk=mine.pk).exists()


def test_the_ledger_page_saves_lists_opens_and_deletes_a_view(world):  # type: ignore[no-untyped-def]
    _demand(world, "申请技改贴息")
    _demand(world, "厂房漏水维修")
    c = _client(world.users["dispatcher"])
    ledger = reverse("demands:ledger")
    page = c.get(ledger, {"q": "贴息"})
    # The save form carries the filter as the page has it (q=贴息), for the name to be added.
    assert 'name="query" value="q=%E8%B4%B4%E6%81%AF"' in page.content.decode()
    assert 'id="saved-views"' not in page.content.decode()  # no views yet: no row of them
    assert 'data-query-from="ledger-filter"' in page.content.decode()
    resp = c.post(reverse("demands:save_view"), {"name": "贴息件", "query": "q=贴息&page=2"})
    assert resp.status_code == 302
    view = SavedView.objects.get(user=world.users["dispatcher"])
    assert resp["Location"] == f"{ledger}?{view.query}"
    opened = c.get(resp["Location"]).content.decode()
    assert "贴息件" in opened and 'aria-current="true"' in opened
    assert "申请技改贴息" in opened and "厂房漏水维修" not in opened
    # Another staff member of the park sees no such view on their ledger.
    assert "贴息件" not in _client(world.users["handler"]).get(ledger).content.decode()
    # Deleting someone else's view is a 404 and deletes nothing; one's own goes.
    url = reverse("demands:delete_view", args=[view.pk])
    assert _client(world.users["handler"]).post(url).status_code == 404
    assert c.post(url).status_code == 302
    assert not SavedView.objects.exists()


def test_the_page_refuses_a_bad_view_with_its_message_and_keeps_the_filter(world):  # type: ignore[no-untyped-def]
    c = _client(world.users["dispatcher"])
    resp = c.post(reverse("demands:save_view"), {"name": "", "query": "overdue=1"}, follow=True)
    assert "请填写视图名称" in resp.content.decode()
    assert resp.redirect_chain[-1][0].endswith("?overdue=1")
    assert not SavedView.objects.exists()


@pytest.mark.parametrize("role", ["enterprise", "resident", "bank"])
def test_requesters_and_banks_have_no_views(world, role):  # type: ignore[no-untyped-def]
    c = _client(world.users[role])
    resp = c.post(reverse("demands:save_view"), {"name": "x", "query": "overdue=1"})
    assert resp.status_code == 403
    assert not SavedView.objects.exists()


def test_a_refused_view_with_line_breaks_in_its_filter_goes_back_safely(world):  # type: ignore[no-untyped-def]
    c = _client(world.users["dispatcher"])
    resp = c.post(
        reverse("demands:save_view"), {"name": "坏", "query": "sort=x\r\nSet-Cookie: a=b"}
    )
    assert resp.status_code == 302 and "\n" not in resp["Location"]
    assert resp["Location"].startswith(reverse("demands:ledger") + "?sort=x")
    assert not SavedView.objects.exists()
