"""GET /api/v1/knowledge/search: ranked hits with why each matched, filters, paging, and the
same scope as the 知识库 page (the portal's public answers only for enterprises and residents)."""

import pytest

from knowledge.models import Kind
from knowledge.tests.helpers import demand, entry

pytestmark = pytest.mark.django_db


def hits(world, who: str, **params):  # type: ignore[no-untyped-def]
    r = world.client(who).get("/knowledge/search", **params)
    assert r.status_code == 200, r.content
    return r.json()


def test_staff_find_entries_with_why_they_matched(world):
    e = entry(world)
    body = hits(world, "dispatcher", q="怎么申请技改贴息")
    first = body["results"][0]
    assert first["source"] == "entry" and first["id"] == e.pk
    assert "贴息" in first["matched"] and isinstance(first["score"], float)
    assert first["reference"] == f"kb:{e.pk}" and first["kind"] == Kind.POLICY
    assert first["specialist"] and first["department_id"] == world.dept_a.pk
    assert body["count"] == 1 and body["count_exact"] is True


def test_filters_by_department_and_kind(world):
    policy = entry(world)
    faq = entry(world, kind=Kind.FAQ, title="技改贴息常见问答", department_id=world.dept_b.pk)
    ids = lambda body: {h["id"] for h in body["results"]}  # noqa: E731
    assert ids(hits(world, "dispatcher", q="技改贴息", kind="faq")) == {faq.pk}
    assert ids(hits(world, "dispatcher", q="技改贴息", department_id=world.dept_a.pk)) == {
        policy.pk
    }
    assert (
        hits(world, "dispatcher", q="技改贴息", kind="faq", department_id=world.dept_a.pk)[
            "results"
        ]
        == []
    )


def test_pages_through_the_ranked_hits(world):
    made = {entry(world, title=f"技改贴息问答第{i}条", kind=Kind.FAQ).pk for i in range(5)}
    p1 = hits(world, "dispatcher", q="技改贴息", page_size=2)
    p3 = hits(world, "dispatcher", q="技改贴息", page_size=2, page=3)
    assert len(p1["results"]) == 2 and p1["count_exact"] is False
    assert len(p3["results"]) == 1 and p3["count"] == 5 and p3["count_exact"] is True
    seen = {
        h["id"]
        for p in (1, 2, 3)
        for h in hits(world, "dispatcher", q="技改贴息", page_size=2, page=p)["results"]
    }
    assert seen == made


def test_the_portal_gets_public_answers_only(world):
    public = entry(world, kind=Kind.FAQ, title="技改贴息常见问答")
    entry(world, title="技改贴息内部口径", is_public=False)
    entry(world, title="技改贴息新政策（草稿）", publish=False)
    entry(world, kind=Kind.GUIDE, title="技改贴息办事指南")
    noted = entry(world, kind=Kind.FAQ, title="技改贴息申报材料", internal_note="额度紧张")
    answered = demand(world)
    assert answered.pk
    body = hits(world, "enterprise", q="怎么申请技改贴息贷款")
    assert {h["id"] for h in body["results"]} == {public.pk, noted.pk}
    assert all(h["source"] == "entry" and not h["specialist"] for h in body["results"])
    assert "额度紧张" not in str(body)
    # staff see all published entries, internal ones too
    staff = {h["title"] for h in hits(world, "dispatcher", q="怎么申请技改贴息贷款")["results"]}
    assert "技改贴息内部口径" in staff and "技改贴息新政策（草稿）" not in staff


def test_another_park_finds_nothing_and_bad_input_is_refused(world):
    entry(world)
    assert hits(world, "dispatcher", q="技改贴息")["count"] == 1
    other = world.client("dispatcher", other=True).get("/knowledge/search", q="技改贴息")
    assert other.status_code == 200 and other.json()["results"] == []
    r = world.client("dispatcher").get("/knowledge/search", q="技改", kind="nonsense")
    assert r.status_code == 422
    r = world.client("dispatcher").get(
        "/knowledge/search", q="技改", department_id=world.other_users["handler"].department_id
    )
    assert r.status_code == 422 and r.json()["detail"] == "没有这个部门"
    empty = world.client("dispatcher").get("/knowledge/search")
    assert empty.status_code == 200 and empty.json()["results"] == []
