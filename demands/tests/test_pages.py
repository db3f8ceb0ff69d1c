"""The ledger pages through the Django test client: search, filters, export, the demand page, its
action forms (which change nothing when refused), intake and attachments."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone
from openpyxl import load_workbook

from demands import services
from demands.attachments import sample_bytes
from demands.models import Attachment, Demand, Status, TaskStatus
from demands.tests.helpers import unchanged
from entities.models import EntityKind, MarketEntity

pytestmark = pytest.mark.django_db


def login(world, who: str, *, other: bool = False) -> Client:
    c = Client()
    c.force_login((world.other_users if other else world.users)[who])
    return c


def make(
    world,
    title: str = "申请技改贴息贷款",
    *,
    lead=None,
    enterprise=None,
    at=None,
    description: str = "企业计划购置数控机床，需要贷款，希望了解贴息政策。",
) -> Demand:
    disp = world.users["dispatcher"]
    d = services.create_demand(
        disp,
        world.park,
        services.Intake(
            title=title,
            description=description,
            channel="visit",
            enterprise_id=(enterprise or world.enterprise).pk,
            category_id=world.cat_finance.pk,
            created_at=at,
        ),
    )
    if lead is not None:
        d = services.dispatch(disp, d, lead_department_id=lead.pk, at=at)
    return d


# --------------------------------------------------------------------------- ledger


def test_ledger_searches_number_title_text_and_enterprise(world):
    a = make(world, "申请技改贴息贷款")
    b = make(world, "厂区道路破损", description="货车通行困难", enterprise=world.enterprise2)
    c = login(world, "dispatcher")

    def found(q: str) -> set[str]:
        body = c.get("/demands/", {"q": q}).content.decode()
        return {d.number for d in (a, b) if d.number in body}

    assert found(a.number) == {a.number}
    assert found("贴息") == {a.number}
    assert found("货车") == {b.number}
    assert found("瑞康医疗") == {b.number}
    assert found("") == {a.number, b.number}


def test_ledger_filters_sorts_and_paginates(world):
    long_ago = timezone.now() - dt.timedelta(days=30)
    late = make(world, "逾期事项", lead=world.dept_a, at=long_ago)
    fresh = [make(world, f"事项{i}") for i in range(25)]
    c = login(world, "dispatcher")
    body = c.get("/demands/", {"overdue": "1"}).content.decode()
    assert late.number in body and fresh[0].number not in body and "已逾期" in body
    body = c.get("/demands/", {"department": world.dept_a.pk}).content.decode()
    assert late.number in body and fresh[0].number not in body
    body = c.get("/demands/", {"status": "received"}).content.decode()
    assert '共 <b id="ledger-count">25</b> 件' in body and "第 1/2 页" in body
    body = c.get("/demands/", {"status": "received", "page": 2}).content.decode()
    assert fresh[0].number in body  # newest first: the oldest is on page 2
    body = c.get("/demands/", {"sort": "-created"}).content.decode()
    assert body.index(late.number) < body.index(fresh[0].number)


def test_ledger_bad_filter_shows_the_message(world):
    r = login(world, "dispatcher").get("/demands/", {"sort": "nonsense"})
    assert r.status_code == 422 and "排序“nonsense”无效" in r.content.decode()
    r = login(world, "dispatcher").get("/demands/", {"date_from": "2026-13-01"})
    assert r.status_code == 422 and "格式不正确" in r.content.decode()


def test_ledger_htmx_request_gets_only_the_results(world):
    make(world)
    r = login(world, "dispatcher").get(
        "/demands/", {"q": "贴息"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ledger-results"
    )
    body = r.content.decode()
    assert "<html" not in body and "ledger-count" in body


def test_ledger_is_scoped_per_role(world):
    mine = make(world, "经发局的", lead=world.dept_a)
    theirs = make(world, "规划局的", lead=world.dept_b)
    body = login(world, "handler").get("/demands/").content.decode()
    assert mine.number in body and theirs.number not in body
    assert login(world, "enterprise").get("/demands/").status_code == 403
    assert login(world, "resident").get("/demands/").status_code == 403


def test_export_has_exactly_the_filtered_rows(world):
    a = make(world, "申请技改贴息贷款", lead=world.dept_a)
    make(world, "厂区道路破损", description="货车通行困难")
    r = login(world, "dispatcher").get("/demands/export.xlsx", {"q": "贴息"})
    assert r.status_code == 200
    assert "attachment" in r["Content-Disposition"]
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    col = rows[0].index("编号")
    assert [row[col] for row in rows[1:]] == [a.number]
    handler_export = login(world, "handler_b").get("/demands/export.xlsx")
    ws = load_workbook(io.BytesIO(handler_export.content)).active
    assert ws.max_row == 1  # 规划分局 has none: the export goes through visible_demands


# --------------------------------------------------------------------------- demand page


def test_demand_page_shows_tasks_deadlines_and_timeline(world):
    long_ago = timezone.now() - dt.timedelta(days=30)
    d = make(world, lead=world.dept_a, at=long_ago)
    body = login(world, "dispatcher").get(f"/demands/{d.pk}/").content.decode()
    from workcal.dates import overdue_text

    late_by = overdue_text(d.tasks.get().deadline)
    assert "经济发展局" in body and late_by.startswith("逾期 ") and late_by in body
    assert "受理" in body and "交办" in body
    assert 'data-action="urge"' in body  # the dispatcher may urge
    assert 'data-action="sign"' not in body  # but not sign
    body = login(world, "handler").get(f"/demands/{d.pk}/").content.decode()
    assert 'data-action="sign"' in body and 'data-action="return"' in body
    assert 'data-action="urge"' not in body


def test_enterprise_cannot_see_another_enterprises_demand(world):
    d = make(world, enterprise=world.enterprise2)
    r = login(world, "enterprise").get(f"/demands/{d.pk}/")
    assert r.status_code == 403 and d.title not in r.content.decode()
    assert login(world, "enterprise2").get(f"/demands/{d.pk}/").status_code == 200
    assert login(world, "enterprise").get("/demands/999999/").status_code == 404


def test_requester_timeline_hides_internal_routing(world):
    d = make(world, lead=world.dept_b)
    services.return_task(world.users["handler_b"], d, reason="not_our_duty", note="内部争议说明")
    body = login(world, "enterprise").get(f"/demands/{d.pk}/").content.decode()
    assert "内部争议说明" not in body and "退单理由" not in body and "退单待处理" not in body
    assert "内部争议说明" in login(world, "dispatcher").get(f"/demands/{d.pk}/").content.decode()


def test_sign_and_reply_through_the_forms(world):
    d = make(world, lead=world.dept_a)
    c = login(world, "handler")
    task = d.tasks.get()
    r = c.post(f"/demands/{d.pk}/act/sign/", {"task_id": task.pk, "next": "/department/"})
    assert r.status_code == 302 and r["Location"] == "/department/"
    pdf = SimpleUploadedFile("答复函.pdf", sample_bytes("pdf"), content_type="application/pdf")
    r = c.post(
        f"/demands/{d.pk}/act/reply/",
        {"task_id": task.pk, "outcome": "solved", "answer": "已对接银行。", "files": [pdf]},
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.ANSWERED
    att = Attachment.objects.get(demand=d)
    assert att.event is not None and att.event.action == "reply"
    assert att.original_name == "答复函.pdf"


def test_redirect_next_must_stay_on_this_site(world):
    d = make(world, lead=world.dept_a)
    r = login(world, "handler").post(
        f"/demands/{d.pk}/act/sign/", {"next": "https://evil.example/"}
    )
    assert r.status_code == 302 and r["Location"] == f"/demands/{d.pk}/"


@pytest.mark.parametrize(
    "who,action,data,status,message",
    [
        ("handler_b", "sign", {}, 403, "您无权查看或办理该诉求"),
        ("liaison2", "sign", {}, 403, "您无权查看或办理该诉求"),
        ("handler", "reply", {"answer": "x", "outcome": "solved"}, 409, "没有可执行该操作的任务"),
        ("enterprise", "dispatch", {"lead_department_id": "1"}, 403, "无权"),
        ("dispatcher", "close", {}, 409, "不能执行“销号”"),
        ("handler", "return", {"reason": "bogus"}, 422, "退单理由“bogus”无效"),
        ("handler", "return", {"reason": "other"}, 422, "退单说明不能为空"),
    ],
)
def test_a_refused_action_shows_the_message_and_changes_nothing(
    world, who, action, data, status, message
):
    d = make(world, lead=world.dept_a)
    with unchanged():
        r = login(world, who).post(f"/demands/{d.pk}/act/{action}/", data)
    assert r.status_code == status
    assert message in r.content.decode()


def test_reply_with_a_forbidden_file_changes_nothing(world):
    d = make(world, lead=world.dept_a)
    d = services.sign(world.users["handler"], d)
    exe = SimpleUploadedFile("答复.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    with unchanged():
        r = login(world, "handler").post(
            f"/demands/{d.pk}/act/reply/", {"outcome": "solved", "answer": "已办", "files": [exe]}
        )
    assert r.status_code == 422
    assert "内容与扩展名 .pdf 不符" in r.content.decode()
    assert d.tasks.get().status == TaskStatus.SIGNED


def test_unknown_action_is_404(world):
    d = make(world)
    assert login(world, "dispatcher").post(f"/demands/{d.pk}/act/explode/").status_code == 404


def test_actions_need_post(world):
    d = make(world, lead=world.dept_a)
    assert login(world, "handler").get(f"/demands/{d.pk}/act/sign/").status_code == 405


def test_extension_decided_from_the_form(world):
    d = make(world, lead=world.dept_a)
    d = services.sign(world.users["handler"], d)
    c = login(world, "handler")
    r = c.post(f"/demands/{d.pk}/act/request_extension/", {"days": "3", "reason": "等待银行审批"})
    assert r.status_code == 302
    disp = login(world, "dispatcher")
    assert "等待银行审批" in disp.get("/dispatch/?tab=extensions").content.decode()
    ext = d.tasks.get().extensions.get()
    r = disp.post(
        f"/demands/{d.pk}/act/decide_extension/", {"extension_id": ext.pk, "approve": "1"}
    )
    assert r.status_code == 302
    ext.refresh_from_db()
    assert ext.status == "granted"


# --------------------------------------------------------------------------- intake


def test_enterprise_submits_through_the_portal_with_a_photo(world):
    png = SimpleUploadedFile("现场.png", sample_bytes("png"), content_type="image/png")
    r = login(world, "enterprise").post(
        "/demands/new/",
        {
            "title": "用电增容",
            "description": "新增产线需要增容 800 千伏安。",
            "category_id": world.cat_finance.pk,
            "channel": "hotline",
            "enterprise_id": world.enterprise2.pk,
            "files": [png],
        },
    )
    assert r.status_code == 302
    d = Demand.objects.get(title="用电增容")
    assert d.enterprise == world.enterprise  # their own, whatever the form said
    assert d.channel == "portal"
    assert d.attachments.get().event.action == "create"


def test_resident_submits_without_an_enterprise(world):
    r = login(world, "resident").post(
        "/demands/new/",
        {
            "title": "小区消防通道被占",
            "description": "金水湾小区消防通道长期被车辆占用。",
            "community": "民乐社区",
        },
    )
    assert r.status_code == 302
    d = Demand.objects.get(title="小区消防通道被占")
    assert d.enterprise is None and d.requester_kind == "resident"
    assert d.requester_phone == "13800001111"


def test_intake_errors_are_shown_and_nothing_is_created(world):
    with unchanged():
        r = login(world, "enterprise").post("/demands/new/", {"title": "", "description": "x"})
    assert r.status_code == 422 and "标题不能为空" in r.content.decode()
    with unchanged():
        r = login(world, "dispatcher").post(
            "/demands/new/",
            {
                "title": "找不到的企业",
                "description": "内容",
                "channel": "hotline",
                "requester_kind": "enterprise",
                "enterprise": "不存在的公司",
            },
        )
    assert r.status_code == 422 and "未找到企业“不存在的公司”" in r.content.decode()


def test_liaison_records_and_answers_on_the_spot(world):
    c = login(world, "liaison")
    body = c.get(f"/demands/new/?enterprise={world.enterprise.pk}").content.decode()
    assert f'<option value="{world.enterprise.pk}" selected>' in body
    r = c.post(
        "/demands/new/",
        {
            "requester_kind": "enterprise",
            "channel": "visit",
            "enterprise_id": world.enterprise.pk,
            "title": "咨询研发费用加计扣除",
            "description": "企业询问研发费用加计扣除政策。",
            "on_spot": "1",
            "answer": "现场讲解了政策并留下申报指引。",
            "outcome": "explained",
        },
    )
    assert r.status_code == 302
    d = Demand.objects.get(title="咨询研发费用加计扣除")
    assert d.status == Status.ANSWERED and d.tier == "on_spot"
    # the call-back afterwards, by phone
    r = c.post(f"/demands/{d.pk}/act/confirm/", {"satisfaction": "satisfied", "method": "phone"})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.CONFIRMED


def test_intake_is_refused_to_handlers_and_experts(world):
    for who in ("handler", "head", "expert"):
        assert login(world, who).get("/demands/new/").status_code == 403


# --------------------------------------------------------------------------- attachments


@pytest.mark.parametrize(
    "name,content,ok",
    [
        ("照片.png", sample_bytes("png"), True),
        ("函.pdf", sample_bytes("pdf"), True),
        ("方案.docx", sample_bytes("docx"), True),
        ("旧表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, True),
        ("图.gif", b"GIF89a" + b"\0" * 20, True),
        ("图.webp", b"RIFF\x10\0\0\0WEBPVP8 " + b"\0" * 20, True),
        ("病毒.exe", b"MZ\x90\x00", False),
        ("改名.png", b"MZ\x90\x00" + b"\0" * 20, False),
        ("假文档.docx", sample_bytes("png"), False),
        ("空壳.xlsx", sample_bytes("docx"), False),  # a zip, but not a workbook
        ("脚本.html", b"<script>alert(1)</script>", False),
        ("无扩展名", b"%PDF-1.4", False),
    ],
)
def test_upload_checks_extension_and_magic_bytes(world, name, content, ok):
    d = make(world)
    f = SimpleUploadedFile(name, content)
    r = login(world, "enterprise").post(f"/demands/{d.pk}/upload/", {"files": [f]})
    assert (r.status_code == 302) is ok, r.content.decode()[:500]
    assert Attachment.objects.filter(demand=d).exists() is ok
    if not ok:
        assert r.status_code == 422


@override_settings(ATTACHMENT_MAX_BYTES=1000)
def test_upload_size_limit_has_a_clear_message(world):
    d = make(world)
    big = SimpleUploadedFile("大文件.pdf", b"%PDF-1.4" + b"0" * 2000)
    r = login(world, "enterprise").post(f"/demands/{d.pk}/upload/", {"files": [big]})
    assert r.status_code == 422
    assert "超过" in r.content.decode() and "上限" in r.content.decode()


def test_download_checks_who_may_see_the_demand(world):
    d = make(world)
    f = SimpleUploadedFile("营业执照.pdf", sample_bytes("pdf"))
    login(world, "enterprise").post(f"/demands/{d.pk}/upload/", {"files": [f]})
    att = Attachment.objects.get(demand=d)
    url = f"/demands/files/{att.pk}/"
    r = login(world, "enterprise").get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert login(world, "dispatcher").get(url).status_code == 200
    assert login(world, "enterprise2").get(url).status_code == 403
    assert login(world, "handler_b").get(url).status_code == 403
    assert login(world, "dispatcher", other=True).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
    assert not att.file.url.startswith("/demands/")  # stored, never linked as public media


def test_dispatch_form_with_co_departments_and_own_time_limit(world):
    d = make(world)
    c = login(world, "dispatcher")
    body = c.get(f"/demands/{d.pk}/?next=/dispatch/").content.decode()
    assert 'name="next" value="/dispatch/"' in body
    assert f'<option value="{world.dept_a.pk}" selected>' in body  # the category's default
    r = c.post(
        f"/demands/{d.pk}/act/dispatch/",
        {
            "category_id": world.cat_finance.pk,
            "lead_department_id": world.dept_a.pk,
            "co_department_ids": [world.dept_b.pk, world.dept_c.pk],
            "time_limit_days": "8",
            "next": "/dispatch/",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/dispatch/"
    tasks = {t.department_id: t for t in d.tasks.all()}
    assert set(tasks) == {world.dept_a.pk, world.dept_b.pk, world.dept_c.pk}
    assert tasks[world.dept_a.pk].time_limit_days == 8


def test_enterprise_rejects_the_answer_and_it_goes_back_for_redo(world):
    d = make(world, lead=world.dept_a)
    d = services.sign(world.users["handler"], d)
    d = services.reply(world.users["handler"], d, answer="请自行联系银行", outcome="explained")
    c = login(world, "enterprise")
    body = c.get(f"/demands/{d.pk}/").content.decode()
    assert 'data-action="confirm"' in body and "请自行联系银行" in body
    with unchanged():  # 不满意 needs a reason
        r = c.post(f"/demands/{d.pk}/act/confirm/", {"satisfaction": "dissatisfied"})
    assert r.status_code == 422 and "评价意见不能为空" in r.content.decode()
    r = c.post(
        f"/demands/{d.pk}/act/confirm/",
        {"satisfaction": "dissatisfied", "comment": "没有解决实际问题"},
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.IN_PROGRESS and d.redo_count == 1


def test_liaison_records_a_failed_call_back(world):
    d = make(world, lead=world.dept_a)
    d = services.sign(world.users["handler"], d)
    d = services.reply(world.users["handler"], d, answer="已办", outcome="solved")
    r = login(world, "liaison").post(
        f"/demands/{d.pk}/act/record_callback/", {"note": "电话无人接听"}
    )
    assert r.status_code == 302
    assert d.events.filter(action="record_callback", note="电话无人接听").exists()


def test_upload_and_actions_are_refused_outside_the_users_scope(world):
    d = make(world, lead=world.dept_a)
    png = sample_bytes("png")
    with unchanged():
        r = login(world, "enterprise2").post(
            f"/demands/{d.pk}/upload/", {"files": [SimpleUploadedFile("a.png", png)]}
        )
        assert r.status_code == 403
        r = login(world, "enterprise", other=True).post(
            f"/demands/{d.pk}/upload/", {"files": [SimpleUploadedFile("a.png", png)]}
        )
        assert r.status_code == 404
        r = login(world, "dispatcher", other=True).post(f"/demands/{d.pk}/act/urge/", {})
        assert r.status_code == 404
        r = login(world, "expert").post(f"/demands/{d.pk}/act/comment/", {"note": "意见"})
        assert r.status_code == 403
    assert not Attachment.objects.exists()


def test_intake_takes_part_of_a_name_when_one_enterprise_fits(world):  # type: ignore[no-untyped-def]
    form = {
        "title": "申请技改贴息",
        "description": "企业购置设备需要贴息，请协调。",
        "channel": "hotline",
        "requester_kind": "enterprise",
        "enterprise": "恒远精密",
    }
    r = login(world, "dispatcher").post("/demands/new/", form)
    assert r.status_code == 302, r.content.decode()[:300]
    assert Demand.objects.get(title="申请技改贴息").enterprise_id == world.enterprise.pk
    MarketEntity.objects.create(
        park=world.park, name="湘潭恒远物流有限公司", kind=EntityKind.BELOW_SCALE, credit_code=""
    )
    with unchanged():
        r = login(world, "dispatcher").post("/demands/new/", {**form, "enterprise": "恒远"})
    page = r.content.decode()
    assert r.status_code == 422 and "对应多家企业" in page
    assert "湘潭恒远物流有限公司" in page and "湘潭恒远精密机械有限公司" in page
    with unchanged():  # another park's enterprise is not found by part of its name either
        r = login(world, "dispatcher").post("/demands/new/", {**form, "enterprise": "中韶电气"})
    assert r.status_code == 422 and "未找到企业“中韶电气”" in r.content.decode()
