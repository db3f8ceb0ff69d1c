"""The navigation a role sees: computed from the role alone — one exception: a requester's
"我的诉求" carries the number of their demands waiting for 补充材料 (one count query)."""

from django.http import HttpRequest
from django.urls import reverse

from orgs.models import Role, User

# (label, url name or path, roles); a path starting with "/" is another app's page.
NAV = [
    ("派单中心", "dispatch_centre", (Role.DISPATCHER, Role.ADMIN)),
    ("部门工作台", "department", (Role.HANDLER, Role.DEPARTMENT_HEAD)),
    ("我的企业", "liaison", (Role.LIAISON,)),
    ("领导总览", "leader", (Role.LEADER,)),
    ("数据看板", "/reports/", (Role.LEADER, Role.DISPATCHER, Role.ADMIN, Role.DEPARTMENT_HEAD)),
    ("遗留问题", "expert", (Role.EXPERT,)),
    ("我的诉求", "portal", (Role.ENTERPRISE, Role.RESIDENT)),
    ("提交诉求", "demands:new", (Role.ENTERPRISE, Role.RESIDENT)),
    ("登记诉求", "demands:new", (Role.DISPATCHER, Role.ADMIN, Role.LIAISON)),
    (
        "问题台账",
        "demands:ledger",
        (
            Role.DISPATCHER,
            Role.ADMIN,
            Role.HANDLER,
            Role.DEPARTMENT_HEAD,
            Role.LIAISON,
            Role.LEADER,
            Role.EXPERT,
        ),
    ),
    (
        "企业档案",
        "/profiles/",
        (
            Role.DISPATCHER,
            Role.ADMIN,
            Role.LEADER,
            Role.LIAISON,
            Role.HANDLER,
            Role.DEPARTMENT_HEAD,
        ),
    ),
    (
        "惠企政策",
        "/policies/",
        (
            Role.DISPATCHER,
            Role.ADMIN,
            Role.LEADER,
            Role.LIAISON,
            Role.HANDLER,
            Role.DEPARTMENT_HEAD,
        ),
    ),
    ("可享受的政策", "/policies/mine/", (Role.ENTERPRISE,)),
    ("服务员安排", "/liaisons/", (Role.DISPATCHER, Role.ADMIN, Role.LEADER)),
    (
        "大走访",
        "/visits/",
        (
            Role.DISPATCHER,
            Role.ADMIN,
            Role.LEADER,
            Role.LIAISON,
            Role.HANDLER,
            Role.DEPARTMENT_HEAD,
        ),
    ),
    (
        "会议协调",
        "/meetings/",
        (Role.DISPATCHER, Role.ADMIN, Role.LEADER, Role.HANDLER, Role.DEPARTMENT_HEAD),
    ),
    ("报名接待日", "/meetings/register/", (Role.ENTERPRISE,)),
    ("联系提醒", "/liaisons/contacts/", (Role.LIAISON,)),
    ("台账导入", "/exchange/", (Role.DISPATCHER, Role.ADMIN)),
    ("智能分派", "/routing/", (Role.DISPATCHER, Role.ADMIN, Role.LEADER)),
    ("提级建议", "/escalation/", (Role.DISPATCHER, Role.ADMIN, Role.LEADER)),
    (
        "督查",
        "/supervision/",
        (Role.DISPATCHER, Role.ADMIN, Role.LEADER, Role.DEPARTMENT_HEAD, Role.HANDLER),
    ),
    (
        "重点项目",
        "/projects/",
        (Role.LEADER, Role.DISPATCHER, Role.ADMIN, Role.LIAISON, Role.ENTERPRISE),
    ),
    (
        "供需对接",
        "/matchmaking/",
        (Role.LEADER, Role.DISPATCHER, Role.ADMIN, Role.LIAISON, Role.ENTERPRISE),
    ),
    ("遗留清零", "/experts/board/", (Role.LEADER, Role.DISPATCHER, Role.ADMIN)),
    ("专家会诊", "/experts/consultations/", (Role.EXPERT,)),
    ("查阅记录", "demands:access_log", (Role.DISPATCHER,)),
    ("系统管理", "admin_home", (Role.ADMIN,)),
    (
        "银企对接",
        "/finance/",
        (Role.DISPATCHER, Role.ADMIN, Role.LEADER, Role.LIAISON, Role.ENTERPRISE),
    ),
    ("融资对接", "/finance/bank/", (Role.BANK,)),
]


def nav(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = []
    path = request.path
    for label, target, roles in NAV:
        if user.role not in roles:
            continue
        url = target if target.startswith("/") else reverse(target)
        on = path == url or (url not in ("/",) and path.startswith(url) and url != "/demands/new/")
        if target == "demands:ledger":
            on = path == url or (
                path.startswith("/demands/") and not path.startswith("/demands/new")
            )
        item = {"label": label, "url": url, "on": on, "count": 0}
        if target == "portal":
            item["count"] = _to_supply(request, user)
        items.append(item)
    return {"nav_items": items}


def _to_supply(request: HttpRequest, user: User) -> int:
    """How many of a requester's demands wait for their 补充材料 (the portal's 待补充)."""
    from demands import access

    park = getattr(request, "park", None)
    if park is None:
        return 0
    qs = access.visible_demands(user, park)
    return qs.filter(info_requested_at__isnull=False).count()
