"""Who may use each page and API operation of the site: one line per route.

`test_permission_matrix.py` walks the URL conf and the OpenAPI and fails for any route without a
line here, then requests every route as every persona of `conftest.py`, in the own park and as a
user of the other park. A new page or endpoint is one line:

    "app:name": page(STAFF),                  # GET; these roles get the page, the others 403/404
    "app:name": form(DISPATCH),               # GET and POST by the same roles
    "app:name": post(DISPATCH),               # POST only (require_POST)
    "GET /api/v1/things/{thing_id}": page(EVERYONE),

Keys are URL names (`namespace:name`) or, for the API, the OpenAPI method and path. Path
parameters are filled from the scene (qinshang/tests/scene.py) by name through PARAMS; `pk` and
constants (an action, a file kind) are given on the line. An object parameter belongs to the own
park, so a user of the other park must get 403 or 404 on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STAFF = frozenset({"dispatcher", "handler", "head", "liaison", "leader", "expert", "admin"})
REQUESTERS = frozenset({"enterprise", "resident"})
EVERYONE = STAFF | REQUESTERS  # every logged-in persona
PUBLIC = EVERYONE | {"anonymous"}
DISPATCH = frozenset({"dispatcher", "admin"})
NOBODY: frozenset[str] = frozenset()


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


@dataclass(frozen=True)
class Rule:
    get: frozenset[str] | None  # roles whose GET succeeds; None: the route takes no GET
    post: frozenset[str] | None = None  # roles whose POST is not refused; None: takes no POST
    values: dict[str, str] = field(default_factory=dict)  # path parameter → scene key or constant
    ends_session: bool = False  # success is the login page (logout)
    data: dict[str, str] | None = None  # the POST body; None: empty


def page(allowed: frozenset[str], **values: str) -> Rule:
    return Rule(get=allowed, values=values)


def form(allowed: frozenset[str], posting: frozenset[str] | None = None, **values: str) -> Rule:
    return Rule(get=allowed, post=allowed if posting is None else posting, values=values)


def post(allowed: frozenset[str], data: dict[str, str] | None = None, **values: str) -> Rule:
    return Rule(get=None, post=allowed, values=values, data=data)


# Cells the suite knows to be wrong, each until the branch that fixes it lands; remove the line
# after the merge and the cell is checked again.
PENDING: dict[tuple[str, str], str] = {
    ("GET /api/v1/demands/{demand_id}/suggestion", "enterprise"): (
        "the requester gets the routing suggestion (internal); redaction branch `redact`"
    ),
}

# Path parameter name → the scene object that fills it.
PARAMS = {
    "demand_id": "demand_id",
    "entity_id": "entity_id",
    "att_id": "att_id",
    "plan_id": "plan_id",
    "staff_id": "staff_id",
    "campaign_id": "campaign_id",
    "visit_id": "visit_id",
    "photo_id": "photo_id",
    "version_id": "version_id",
    "pk": "demand_id",
}

# The admin site is for superusers only (no persona is staff): a few of its pages stand for all.
ADMIN_SAMPLE = ("/admin/", "/admin/orgs/user/", "/admin/orgs/apitoken/", "/admin/demands/demand/")

# Who sees a demand of an enterprise that is being worked on (and its files, similar cases):
# the staff who handle or oversee it and the enterprise itself; not a resident, not an expert
# the demand was not escalated to.
DEMAND_VIEWERS = roles("dispatcher", "handler", "head", "liaison", "leader", "enterprise", "admin")
REPORTS = roles("dispatcher", "head", "leader", "admin")
PLANNERS = roles("dispatcher", "leader", "admin")  # 专属服务员 assignment: leaders look
VISIT_STAFF = roles("dispatcher", "handler", "head", "liaison", "leader", "admin")

TABLE: dict[str, Rule] = {
    # ---------------------------------------------------------------- API (OpenAPI operations)
    "GET /api/v1/categories": page(EVERYONE),
    "GET /api/v1/departments": page(EVERYONE),
    "GET /api/v1/me": page(EVERYONE),
    "GET /api/v1/demands": page(EVERYONE),  # scoped: each sees the demands visible to them
    "POST /api/v1/demands": post(EVERYONE),  # the service decides per enterprise
    "GET /api/v1/demands/{demand_id}": page(DEMAND_VIEWERS),
    "POST /api/v1/demands/{demand_id}/actions/{action}": post(DEMAND_VIEWERS, action="comment"),
    "GET /api/v1/demands/{demand_id}/similar": page(DEMAND_VIEWERS),
    "GET /api/v1/demands/{demand_id}/suggestion": page(DEMAND_VIEWERS - {"enterprise"}),
    "GET /api/v1/enterprises": page(EVERYONE),
    "POST /api/v1/enterprises": post(DISPATCH),
    "GET /api/v1/enterprises/{entity_id}": page(DEMAND_VIEWERS),
    "api:api-root": page(NOBODY),
    "api:openapi-json": page(PUBLIC),
    "api:openapi-view": page(PUBLIC),
    # ---------------------------------------------------------------- pages
    "admin:*": form(NOBODY),
    "home": page(EVERYONE),
    "login": form(PUBLIC),
    "logout": Rule(get=None, post=EVERYONE, ends_session=True),
    "healthz": page(PUBLIC),
    "switch_park": post(EVERYONE),
    "dispatch_centre": page(DISPATCH),
    "department": page(roles("handler", "head")),
    "liaison": page(roles("liaison")),
    "portal": page(REQUESTERS),
    "leader": page(roles("leader", "admin")),
    "expert": page(roles("expert")),
    "admin_home": page(roles("admin")),
    "demands:ledger": page(STAFF),
    "demands:export": page(STAFF),
    "demands:new": form(
        roles("dispatcher", "liaison", "leader", "enterprise", "resident", "admin")
    ),
    "demands:bulk": post(DISPATCH | {"leader"}),
    "demands:detail": page(DEMAND_VIEWERS),
    "demands:act": post(DEMAND_VIEWERS, action="comment"),
    "demands:upload": post(DEMAND_VIEWERS),
    "demands:download": page(DEMAND_VIEWERS),
    "notifications:list": page(EVERYONE),
    "notifications:bell": page(EVERYONE),
    "notifications:open": page(roles("handler"), pk="notification_id"),  # one's own only
    "notifications:read_all": post(EVERYONE),
    "exchange:index": form(DISPATCH),
    "exchange:job": form(DISPATCH, pk="job_id"),
    "reports:dashboard": page(REPORTS),
    "reports:data": page(REPORTS),
    "reports:drill": page(REPORTS),
    "reports:drill_export": page(REPORTS),
    # An invalid period: a valid one would generate a whole briefing for each persona.
    "reports:briefing_new": post(REPORTS, data={"period": "无效"}),
    # A park-wide briefing: a department head sees only the department's own.
    "reports:briefing": page(REPORTS - {"head"}, pk="briefing_id"),
    "reports:briefing_file": page(REPORTS - {"head"}, pk="briefing_id", kind="docx"),
    "liaisons:index": page(PLANNERS),
    "liaisons:rules": form(PLANNERS, DISPATCH),
    "liaisons:plan_new": post(DISPATCH),
    "liaisons:plan": page(PLANNERS),
    "liaisons:plan_apply": post(DISPATCH),
    "liaisons:entity": page(roles("dispatcher", "liaison", "leader", "admin")),
    "liaisons:staff_list": page(PLANNERS),
    "liaisons:staff": page(PLANNERS),
    "liaisons:handover": post(DISPATCH),
    "liaisons:deactivate": post(DISPATCH),
    "liaisons:contacts": page(VISIT_STAFF),
    "liaisons:contact_record": post(roles("dispatcher", "liaison", "admin")),
    "liaisons:import": form(PLANNERS, DISPATCH),
    "liaisons:export_entities": page(PLANNERS),
    "liaisons:export_staff": page(PLANNERS),
    "visits:list": page(VISIT_STAFF),
    "visits:new": form(DISPATCH),
    "visits:dashboard": page(VISIT_STAFF),  # the campaign's staff are sent to their targets
    "visits:edit": form(DISPATCH),
    "visits:questions": form(PLANNERS, DISPATCH),
    "visits:close": post(DISPATCH),
    "visits:mine": page(VISIT_STAFF),
    "visits:record": form(roles("dispatcher", "liaison", "admin")),
    "visits:export": page(PLANNERS),
    "visits:visit": page(roles("dispatcher", "liaison", "leader", "admin")),
    "visits:photo": page(roles("dispatcher", "liaison", "leader", "admin")),
    "routing:index": page(PLANNERS),
    "routing:retrain": post(DISPATCH),
    "routing:threshold": post(roles("admin")),
    "routing:activate": post(roles("admin")),
    "routing:common": page(REPORTS),
    "routing:similar_text": page(EVERYONE),
    "routing:similar": page(DEMAND_VIEWERS),
}
