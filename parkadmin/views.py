"""园区管理 pages for the park's administrator: departments, staff, categories, settings, the
holiday schedule and the change log. Views parse the form, call `services` and render; a refused
save re-shows the form with the message and what was typed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from demands.replies import PLACEHOLDER_NAMES
from orgs.models import Department, Role
from parkadmin import services
from parkadmin.models import ChangeKind
from qinshang.errors import NotFound
from qinshang.pages import ParkRequest, Saved, form_page, paginate, query_without, roles_required
from workcal import calendar as wcal
from workcal.models import YearSchedule

ADMIN = (Role.ADMIN,)


def _depts(request: ParkRequest) -> list[Department]:
    return list(Department.objects.filter(park=request.park, is_active=True).order_by("sort", "id"))


# --------------------------------------------------------------------------- departments


@roles_required(*ADMIN, page="部门管理")
def departments(request: ParkRequest) -> HttpResponse:
    return render(
        request, "parkadmin/departments.html", {"departments": services.departments(request.park)}
    )


@roles_required(*ADMIN, page="部门管理")
def department_edit(request: ParkRequest, pk: int | None = None) -> HttpResponse:
    dept = services.get_department(request.park, pk) if pk else None

    def save() -> Saved:
        data = services.DepartmentInput.parse(request.POST)
        saved = services.save_department(request.user, request.park, data, dept)
        return Saved(f"已保存部门“{saved.name}”", reverse("parkadmin:departments"))

    def form() -> dict[str, Any]:
        if request.method == "POST":
            return request.POST.dict()
        if dept is None:
            return {"is_active": "1", "sort": "100"}
        return {
            "name": dept.name,
            "code": dept.code,
            "duties": dept.duties,
            "sort": dept.sort,
            "is_active": "1" if dept.is_active else "",
            "is_dispatch_centre": "1" if dept.is_dispatch_centre else "",
            "review_replies": "1" if dept.review_replies else "",
        }

    return form_page(
        request,
        "parkadmin/department_edit.html",
        save,
        lambda: {
            "dept": dept,
            "form": form(),
            "history": services.history(request.park, ChangeKind.DEPARTMENT, dept.pk)
            if dept
            else [],
        },
    )


# --------------------------------------------------------------------------- staff


@roles_required(*ADMIN, page="人员管理")
def staff(request: ParkRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:50]
    role = request.GET.get("role", "")
    dept = request.GET.get("department", "")
    active = request.GET.get("active", "1")
    qs = services.staff(
        request.park,
        q=q,
        role=role,
        department_id=int(dept) if dept.isdigit() and len(dept) < 12 else None,
        active=active,
    )
    return render(
        request,
        "parkadmin/staff.html",
        {
            "page": paginate(request, qs, per_page=50),
            "keep": query_without(request, "page"),
            "q": q,
            "role": role,
            "department": dept,
            "active": active,
            "roles": services.STAFF_ROLE_CHOICES,
            "departments": _depts(request),
        },
    )


@roles_required(*ADMIN, page="人员管理")
def staff_edit(request: ParkRequest, pk: int | None = None) -> HttpResponse:
    person = services.get_staff(request.park, pk) if pk else None

    def save() -> Saved:
        data = services.StaffInput.parse(request.POST)
        saved, password = services.save_staff(request.user, request.park, data, person)
        to = reverse("parkadmin:staff_edit", args=[saved.pk])
        if password:
            return Saved(
                f"已创建账号 {saved.username}（{saved.display_name}），初始密码：{password}。"
                "请当面或电话告知本人，此密码只显示这一次。",
                to,
            )
        return Saved(f"已保存{saved.display_name}的账号", to)

    def form() -> dict[str, Any]:
        if request.method == "POST":
            return request.POST.dict()
        if person is None:
            return {"is_active": "1", "rank": "3", "role": Role.HANDLER}
        return {
            "username": person.username,
            "full_name": person.full_name,
            "phone": person.phone,
            "role": person.role,
            "department_id": str(person.department_id or ""),
            "title": person.title,
            "rank": str(person.rank),
            "is_active": "1" if person.is_active else "",
            "institution_id": str(
                getattr(getattr(person, "institution_link", None), "institution_id", "") or ""
            ),
        }

    return form_page(
        request,
        "parkadmin/staff_edit.html",
        save,
        lambda: {
            "person": person,
            "form": form(),
            "roles": services.STAFF_ROLE_CHOICES,
            "departments": _depts(request),
            "institutions": services.institutions(request.park),
            "history": services.history(request.park, ChangeKind.STAFF, person.pk)
            if person
            else [],
        },
    )


@require_POST
@roles_required(*ADMIN, page="人员管理")
def staff_reset_password(request: ParkRequest, pk: int) -> HttpResponse:
    person = services.get_staff(request.park, pk)
    password = services.reset_password(request.user, request.park, person)
    messages.success(
        request,
        f"已重置{person.display_name}的登录密码，新的临时密码：{password}。此密码只显示这一次。",
    )
    return HttpResponseRedirect(reverse("parkadmin:staff_edit", args=[person.pk]))


# --------------------------------------------------------------------------- categories


@roles_required(*ADMIN, page="诉求类别")
def categories(request: ParkRequest) -> HttpResponse:
    return render(
        request, "parkadmin/categories.html", {"tree": services.category_tree(request.park)}
    )


@roles_required(*ADMIN, page="诉求类别")
def category_edit(request: ParkRequest, pk: int | None = None) -> HttpResponse:
    cat = services.get_category(request.park, pk) if pk else None

    def save() -> Saved:
        data = services.CategoryInput.parse(request.POST, request.POST.getlist("co_department_ids"))
        saved = services.save_category(request.user, request.park, data, cat)
        return Saved(f"已保存类别“{saved}”", reverse("parkadmin:categories"))

    def form() -> tuple[dict[str, Any], list[str]]:
        if request.method == "POST":
            return request.POST.dict(), request.POST.getlist("co_department_ids")
        if cat is None:
            fresh = {"is_active": "1", "sort": "100", "time_limit_days": "10"}
            return fresh | {"parent_id": request.GET.get("parent", "")[:12]}, []
        return {
            "name": cat.name,
            "code": cat.code,
            "parent_id": str(cat.parent_id or ""),
            "default_department_id": str(cat.default_department_id or ""),
            "time_limit_days": str(cat.time_limit_days),
            "for_residents": "1" if cat.for_residents else "",
            "is_active": "1" if cat.is_active else "",
            "sort": str(cat.sort),
        }, [str(d.pk) for d in cat.default_co_departments.all()]

    def context() -> dict[str, Any]:
        values, co = form()
        tops = [c for c, _ in services.category_tree(request.park) if not cat or c.pk != cat.pk]
        return {
            "cat": cat,
            "form": values,
            "co": co,
            "tops": tops,
            "departments": _depts(request),
            "history": services.history(request.park, ChangeKind.CATEGORY, cat.pk) if cat else [],
        }

    return form_page(request, "parkadmin/category_edit.html", save, context)


# --------------------------------------------------------------------------- reply templates


@roles_required(*ADMIN, page="答复模板")
def templates(request: ParkRequest) -> HttpResponse:
    return render(
        request,
        "parkadmin/templates.html",
        {"templates": services.reply_templates(request.park), "placeholders": PLACEHOLDER_NAMES},
    )


@roles_required(*ADMIN, page="答复模板")
def template_edit(request: ParkRequest, pk: int | None = None) -> HttpResponse:
    tpl = services.get_reply_template(request.park, pk) if pk else None

    def save() -> Saved:
        data = services.TemplateInput.parse(request.POST)
        saved = services.save_reply_template(request.user, request.park, data, tpl)
        return Saved(f"已保存答复模板“{saved.title}”", reverse("parkadmin:templates"))

    def form() -> dict[str, Any]:
        if request.method == "POST":
            return request.POST.dict()
        if tpl is None:
            return {"is_active": "1", "sort": "100"}
        return {
            "title": tpl.title,
            "category_id": str(tpl.category_id or ""),
            "body": tpl.body,
            "is_active": "1" if tpl.is_active else "",
            "sort": str(tpl.sort),
        }

    return form_page(
        request,
        "parkadmin/template_edit.html",
        save,
        lambda: {
            "tpl": tpl,
            "form": form(),
            "tree": services.category_tree(request.park),
            "placeholders": PLACEHOLDER_NAMES,
            "history": services.history(request.park, ChangeKind.TEMPLATE, tpl.pk) if tpl else [],
        },
    )


# --------------------------------------------------------------------------- settings


@roles_required(*ADMIN, page="园区参数")
def settings_page(request: ParkRequest) -> HttpResponse:
    park = request.park

    def save() -> Saved:
        services.save_settings(request.user, park, request.POST, request.POST.get("reason", ""))
        return Saved("已保存园区参数", reverse("parkadmin:settings"))

    def form() -> dict[str, Any]:
        if request.method == "POST":
            return request.POST.dict()
        values = {f: str(getattr(park, f)) for f, _, _, _ in services.SETTING_FIELDS}
        t = park.auto_dispatch_threshold
        return values | {"auto_dispatch_threshold": "" if t is None else f"{t:.2f}"}

    return form_page(
        request,
        "parkadmin/settings.html",
        save,
        lambda: {
            "form": form(),
            "fields": services.SETTING_FIELDS,
            "history": services.history(park, ChangeKind.SETTINGS, park.pk),
        },
    )


# --------------------------------------------------------------------------- holiday schedule


@roles_required(*ADMIN, page="节假日安排")
def calendar_year(request: ParkRequest, year: int) -> HttpResponse:
    if not 2000 <= year <= 2100:
        raise NotFound("年份应在 2000–2100 之间")
    sched = YearSchedule.objects.filter(year=year).first()
    p = request.POST

    def save() -> Saved:
        services.save_year_schedule(
            request.user,
            request.park,
            year,
            p.get("holidays", ""),
            p.get("workdays", ""),
            p.get("source", ""),
        )
        n = services.open_tasks_due_in(request.park, year)
        return Saved(
            f"已保存 {year} 年节假日安排，此后的办理时限按新安排计算。"
            + (f"已交办且在 {year} 年到期的未办结任务有 {n} 件，其时限不自动改变。" if n else ""),
            reverse("admin_home"),
        )

    def form() -> dict[str, Any]:
        if request.method == "POST":
            return p.dict()
        if sched is None:
            return {}
        return {"holidays": sched.holidays, "workdays": sched.workdays, "source": sched.source}

    return form_page(
        request,
        "parkadmin/calendar_year.html",
        save,
        lambda: {
            "year": year,
            "sched": sched,
            "rules": wcal.rules_for(year),
            "form": form(),
            "history": services.history(request.park, ChangeKind.CALENDAR, sched.pk)
            if sched
            else [],
        },
    )


# --------------------------------------------------------------------------- change log


@roles_required(*ADMIN, page="管理操作记录")
def changes(request: ParkRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    qs = services.changes(request.park, kind)
    return render(
        request,
        "parkadmin/changes.html",
        {
            "page": paginate(request, qs, per_page=30),
            "keep": query_without(request, "page"),
            "kind": kind,
            "kinds": ChangeKind.choices,
        },
    )
