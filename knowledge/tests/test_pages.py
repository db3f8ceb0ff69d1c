"""The pages: answers offered at intake and on the demand page, the portal's panel and its
self-service count, what requesters may never see, the 权责清单 import, the consult page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from demands.models import Demand, Status
from knowledge.models import Consult, Entry, EntryLink, Kind, SelfServe
from knowledge.tests.helpers import demand, entry

pytestmark = pytest.mark.django_db


def login(world, who: str, *, other: bool = False) -> Client:
    c = Client()
    c.force_login((world.other_users if other else world.users)[who])
    return c


def test_the_demand_page_offers_entries_with_why_they_matched(world):
    e = entry(world)
    d = demand(world)
    html = (
        login(world, "liaison").get(reverse("knowledge:demand_panel", args=[d.pk])).content.decode()
    )
    assert e.title in html and "采用此答复" in html and f'data-ref="kb:{e.pk}"' in html
    assert "<mark>技改</mark>" in html and "三方连线" in html
    page = login(world, "liaison").get(reverse("demands:detail", args=[d.pk])).content.decode()
    assert (
        reverse("knowledge:demand_panel", args=[d.pk]) in page and "data-reference-target" in page
    )


def test_the_enterprise_sees_no_staff_panel_of_its_demand(world):
    d = demand(world)
    page = login(world, "enterprise").get(reverse("demands:detail", args=[d.pk])).content.decode()
    assert reverse("knowledge:demand_panel", args=[d.pk]) not in page
    assert login(world, "enterprise").get(
        reverse("knowledge:demand_panel", args=[d.pk])
    ).status_code in (403, 404)


def test_intake_on_the_spot_with_a_chosen_entry_links_it(world):
    e = entry(world)
    r = login(world, "liaison").post(
        reverse("demands:new"),
        {
            "requester_kind": "enterprise",
            "channel": "liaison",
            "enterprise_id": world.enterprise.pk,
            "title": "技改贴息咨询",
            "description": "企业想了解技改贴息",
            "on_spot": "1",
            "answer": e.body + "（已当面说明）",
            "reference": f"kb:{e.pk}",
        },
    )
    assert r.status_code == 302
    d = Demand.objects.get(title="技改贴息咨询")
    assert d.status == Status.ANSWERED and EntryLink.objects.get(demand=d).entry == e


def test_intake_panel_answers_from_the_typed_text(world):
    e = entry(world)
    html = (
        login(world, "dispatcher")
        .get(
            reverse("knowledge:intake_panel"),
            {"title": "技改贴息", "description": "买设备贷款贴息"},
        )
        .content.decode()
    )
    assert e.title in html and "data-kb-fill" in html
    assert (
        login(world, "dispatcher")
        .get(reverse("knowledge:intake_panel"), {"title": ""})
        .content.strip()
        == b""
    )


def test_portal_shows_only_public_answers_before_submitting(world):
    public = entry(world, kind=Kind.FAQ, title="技改贴息常见问答")
    entry(world, title="技改贴息内部口径", is_public=False)
    draft = entry(world, title="技改贴息新政策（草稿）", publish=False)
    noted = entry(world, title="技改贴息申报材料", internal_note="内部：本年度额度紧张，慎重答复")
    c = login(world, "enterprise")
    html = c.get(
        reverse("knowledge:portal_panel"),
        {"title": "技改贴息", "description": "怎么申请技改贴息贷款"},
    ).content.decode()
    assert "这些可能已解答您的问题" in html and public.title in html and "已解决，不再提交" in html
    assert "内部口径" not in html and "草稿" not in html and "额度紧张" not in html
    # the entry pages: public ones without the internal note; drafts and internal ones 404
    assert "额度紧张" not in c.get(reverse("knowledge:detail", args=[noted.pk])).content.decode()
    assert c.get(reverse("knowledge:detail", args=[draft.pk])).status_code == 404
    internal = Entry.objects.get(title="技改贴息内部口径")
    assert c.get(reverse("knowledge:detail", args=[internal.pk])).status_code == 404
    listing = c.get(reverse("knowledge:index")).content.decode()
    assert public.title in listing and "内部口径" not in listing and "草稿" not in listing
    search = c.get(reverse("knowledge:index"), {"q": "技改贴息"}).content.decode()
    assert "内部口径" not in search and "额度紧张" not in search and "草稿" not in search
    # staff see the note
    assert (
        "额度紧张"
        in login(world, "dispatcher")
        .get(reverse("knowledge:detail", args=[noted.pk]))
        .content.decode()
    )


def test_already_solved_is_counted_and_nothing_is_submitted(world):
    e = entry(world, kind=Kind.FAQ)
    r = login(world, "enterprise").post(
        reverse("knowledge:self_serve"),
        {"title": "技改贴息", "description": "怎么申请", "entry_id": e.pk},
    )
    assert r.status_code == 302
    s = SelfServe.objects.get()
    assert s.entry == e and "怎么申请" in s.question
    assert not Demand.objects.exists()


def test_another_parks_entry_answers_404(world):
    e = entry(world)
    c = login(world, "dispatcher", other=True)
    assert c.get(reverse("knowledge:detail", args=[e.pk])).status_code == 404
    assert e.title not in c.get(reverse("knowledge:index"), {"q": "技改贴息"}).content.decode()


def _sheet(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["经济发展局权责清单"])
    ws.append(["事项编码", "事项名称", "事项类型", "职责内容", "设定依据", "政策专员"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("权责清单.xlsx", buf.getvalue())


def test_duty_list_import_reports_row_by_row_and_writes_nothing_while_wrong(world):
    c = login(world, "dispatcher")
    rows = [
        [
            "JF-001",
            "工业企业技术改造项目备案",
            "行政确认",
            "负责技改项目备案",
            "《企业投资项目核准和备案管理条例》",
            "hand_a",
        ],
        ["JF-002", "", "其他", "缺名称", "", ""],
        ["JF-001", "重复编码", "", "", "", ""],
        ["JF-003", "专精特新企业培育", "公共服务", "组织申报", "", "无此人"],
    ]
    r = c.post(
        reverse("knowledge:import"), {"department_id": world.dept_a.pk, "file": _sheet(rows)}
    )
    html = r.content.decode()
    assert "第 4 行" in html and "第 5 行" in html and "第 6 行" in html
    assert "与第 3 行的事项编码重复" in html and "无此人" in html
    assert not Entry.objects.exists()
    r = c.post(
        reverse("knowledge:import"),
        {"department_id": world.dept_a.pk, "file": _sheet(rows), "valid_only": "1"},
    )
    e = Entry.objects.get()
    assert (
        e.kind == Kind.DUTY and e.duty_code == "JF-001" and e.specialist == world.users["handler"]
    )
    # the same sheet again updates, matched on 事项编码
    rows[0][3] = "负责技改项目备案和变更"
    c.post(
        reverse("knowledge:import"), {"department_id": world.dept_a.pk, "file": _sheet(rows[:1])}
    )
    e.refresh_from_db()
    assert Entry.objects.count() == 1 and e.body == "负责技改项目备案和变更" and e.version == 2


def test_the_specialist_answers_a_consult_on_its_page(world):
    e = entry(world)
    d = demand(world)
    r = login(world, "liaison").post(
        reverse("knowledge:consult_new", args=[d.pk]), {"entry_id": e.pk, "question": "比例？"}
    )
    assert r.status_code == 302
    c = Consult.objects.get()
    page = login(world, "handler").get(reverse("knowledge:consult", args=[c.pk])).content.decode()
    assert "提交答复" in page
    assert (
        "提交答复"
        not in login(world, "liaison")
        .get(reverse("knowledge:consult", args=[c.pk]))
        .content.decode()
    )
    login(world, "handler").post(
        reverse("knowledge:consult", args=[c.pk]), {"answer": "按 50% 贴息。", "verdict": "solved"}
    )
    d.refresh_from_db()
    assert d.status == Status.ANSWERED


def test_entries_list_and_editor(world):
    c = login(world, "head")
    r = c.post(
        reverse("knowledge:new"),
        {
            "kind": "faq",
            "title": "规上企业入库条件",
            "body": "年主营业务收入2000万元及以上。",
            "department_id": world.dept_a.pk,
            "review_cycle_days": "180",
        },
    )
    assert r.status_code == 302
    e = Entry.objects.get()
    r = c.post(
        reverse("knowledge:edit", args=[e.pk]),
        {
            "kind": "faq",
            "title": "规上企业入库条件",
            "body": "年主营业务收入2000万元及以上的工业企业。",
            "department_id": world.dept_a.pk,
            "review_cycle_days": "180",
            "reason": "补充",
        },
    )
    assert r.status_code == 302
    page = c.get(reverse("knowledge:detail", args=[e.pk])).content.decode()
    assert "第 2 版" in page and "补充" in page
    # a draft of another department: not even visible
    assert (
        login(world, "handler_b").post(reverse("knowledge:edit", args=[e.pk]), {}).status_code
        == 404
    )
    r = c.post(
        reverse("knowledge:new"),
        {"kind": "faq", "title": "", "body": "x", "department_id": world.dept_a.pk},
    )
    assert r.status_code == 422 and "请填写标题" in r.content.decode()
