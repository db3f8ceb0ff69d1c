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
PENDING: dict[tuple[str, str], str] = {}

# Path parameter name → the scene object that fills it.
PARAMS = {
    "demand_id": "demand_id",
    "export_id": "export_id",
    "view_id": "saved_view_id",
    "entity_id": "entity_id",
    "att_id": "att_id",
    "plan_id": "plan_id",
    "staff_id": "staff_id",
    "campaign_id": "campaign_id",
    "visit_id": "visit_id",
    "photo_id": "photo_id",
    "version_id": "version_id",
    "pk": "demand_id",
    "token_id": "token_id",
    "user_id": "staff_id",
    "meeting_id": "meeting_id",
    "project_id": "project_id",
    "livelihood_id": "livelihood_id",
    "consultation_id": "consultation_id",
    "proposal_id": "proposal_id",
    "inspection_id": "inspection_id",
    "mid": "milestone_id",
    "iid": "site_inspection_id",
    "cert_id": "cert_id",
    "sp_id": "service_plan_id",
    "measure_id": "plan_measure_id",
    "policy_id": "policy_id",
    "grant_id": "grant_id",
    "application_id": "application_id",
    "purchase_id": "purchase_id",
    "product_id": "mm_product_id",
    # "need_id" is the finance app's (see below); matchmaking's need routes name their own.
    "event_id": "mm_event_id",
    "order_id": "mm_order_id",
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
MANAGERS = roles("dispatcher", "leader", "admin")  # 提级, 专家库, 重点项目, 督查 park-wide
# The scene's token belongs to the dispatcher: the owner and the park's administrator act on it.
TOKEN_OWNERS = roles("dispatcher", "admin")
# The scene's meeting hears the enterprise's demand and invites 经济发展局 (handler, head): the
# liaison serving the enterprise and the enterprise (its own item only) see it too.
# 显示 a masked contact (demands.privacy): staff who may open the demand, each use logged; the
# requester sees their own contact in full and has nothing to reveal.
REVEALERS = DEMAND_VIEWERS - REQUESTERS
# Routing internals (similar demands, the suggestion) are for staff only (demands.redaction).
DEMAND_STAFF = DEMAND_VIEWERS - REQUESTERS
MEETING_VIEWERS = roles("dispatcher", "handler", "head", "liaison", "leader", "enterprise", "admin")
MEETING_STAFF = MEETING_VIEWERS - {"enterprise"}  # the whole agenda and the minutes
# The scene's consultation: its panel expert, the managers and (after the conclusion) departments.
CONSULT_VIEWERS = MANAGERS | {"expert"}
# The scene's key project: invested by the enterprise, led by the leader, served by the liaison;
# 经济发展局 has tasks from the investor's demands.
PROJECT_VIEWERS = roles("dispatcher", "handler", "head", "liaison", "leader", "enterprise", "admin")
PROJECT_INSPECTORS = PROJECT_VIEWERS - {"enterprise"}  # 工地巡查: also departments' staff
PROJECT_PROGRESS = roles("dispatcher", "liaison", "leader", "admin")  # milestones
# The scene's 重点民生项目 is 经济发展局's: park-wide roles and liaisons see the whole list, the
# unit its own; the unit and the managers report progress; 催办/回访/销号 are the ledger's rules.
LIVELIHOOD_VIEWERS = MANAGERS | {"liaison", "handler", "head"}
LIVELIHOOD_REPORTERS = MANAGERS | {"handler", "head"}
# The scene's 督查 concerns 经济发展局: the park-wide roles and that department see it.
INSPECTION_VIEWERS = MANAGERS | {"handler", "head"}

# 一企一档: staff who serve or oversee enterprises (not experts, not requesters); editors of
# figures and certifications; 一企一策 planners (leaders too).
PROFILE_VIEWERS = VISIT_STAFF
PROFILE_EDITORS = roles("dispatcher", "liaison", "admin")
INTAKE_STAFF = roles("dispatcher", "liaison", "leader", "admin")  # routing.intake
PROFILE_PLANNERS = roles("dispatcher", "liaison", "leader", "admin")
# 惠企政策: staff read policies and who qualifies; the park-wide roles edit them and confirm
# grants (for the finance bureau); an enterprise reads published ones and applies for itself,
# its liaison and the dispatch centre for it. The scene's policy is a published 快申快享.
POLICY_EDITORS = roles("dispatcher", "leader", "admin")
POLICY_READERS = PROFILE_VIEWERS | {"enterprise"}
POLICY_APPLICANTS = roles("dispatcher", "liaison", "admin", "enterprise")

# 知识库: authors (dispatch centre, departments); the scene's entry belongs to 经济发展局 with the
# handler as its 政策专员 (editors: the centre, that department); it is public, so requesters
# and experts read it. The scene's 三方连线 is from the liaison to that handler.
KB_AUTHORS = roles("dispatcher", "admin", "handler", "head")
KB_EDITORS = KB_AUTHORS
KB_CONSULT_VIEWERS = roles("dispatcher", "admin", "leader", "handler", "liaison")

# 供需对接 (matchmaking): staff who serve enterprises see the park's market; an enterprise its own
# products, needs, registrations and orders and the park's events. The scene's product and need
# belong to the enterprise (whose liaison is the scene's liaison); its order has an outside party.
MM_VIEWERS = DEMAND_VIEWERS
MM_STAFF = MM_VIEWERS - {"enterprise"}
MM_PUBLISHERS = roles("dispatcher", "liaison", "enterprise", "admin")

TABLE: dict[str, Rule] = {
    # ---------------------------------------------------------------- API (OpenAPI operations)
    "GET /api/v1/categories": page(EVERYONE),
    # Requesters get an empty list: the park's form letters are for the staff who answer.
    "GET /api/v1/reply-templates": page(EVERYONE),
    # scoped as the 知识库 page: staff their entries and past answers, requesters public ones
    "GET /api/v1/knowledge/search": page(EVERYONE),
    "GET /api/v1/departments": page(EVERYONE),
    "GET /api/v1/me": page(EVERYONE),
    "GET /api/v1/demands": page(EVERYONE),  # scoped: each sees the demands visible to them
    "POST /api/v1/demands": post(EVERYONE),  # the service decides per enterprise
    "GET /api/v1/demands/{demand_id}": page(DEMAND_VIEWERS),
    # POST /api/v1/demands/{demand_id}/actions/<action>: one operation per action, below.
    "POST /api/v1/demands/{demand_id}/reveal/{field}": post(REVEALERS, field="phone"),
    "GET /api/v1/demands/{demand_id}/similar": page(DEMAND_STAFF),
    "GET /api/v1/demands/{demand_id}/suggestion": page(DEMAND_STAFF),
    "POST /api/v1/intake/extract": post(INTAKE_STAFF, data={"text": "恒远来电，联系人张伟"}),
    "GET /api/v1/intake/entities": page(INTAKE_STAFF),
    "GET /api/v1/enterprises": page(EVERYONE),
    "POST /api/v1/enterprises": post(DISPATCH),
    "GET /api/v1/enterprises/{entity_id}": page(DEMAND_VIEWERS),
    # 一企一档: figures, certifications and size class are read like the enterprise; written by
    # the dispatch centre, administrators and the entity's liaison (the scene's liaison serves it).
    "GET /api/v1/enterprises/{entity_id}/figures": page(DEMAND_VIEWERS),
    "POST /api/v1/enterprises/{entity_id}/figures": post(PROFILE_EDITORS),
    "GET /api/v1/enterprises/{entity_id}/certifications": page(DEMAND_VIEWERS),
    "POST /api/v1/enterprises/{entity_id}/certifications": post(PROFILE_EDITORS),
    "POST /api/v1/enterprises/{entity_id}/certifications/{cert_id}/revoke": post(PROFILE_EDITORS),
    "GET /api/v1/enterprises/{entity_id}/size-class": page(DEMAND_VIEWERS),
    "POST /api/v1/enterprises/{entity_id}/size-class/override": post(PROFILE_EDITORS),
    "POST /api/v1/industry-suggestions": post(EVERYONE),
    "GET /api/v1/size-standards": page(EVERYONE),
    "GET /api/v1/profiles/{entity_id}": page(PROFILE_VIEWERS),
    "GET /api/v1/enterprises/{entity_id}/purchases": page(DEMAND_VIEWERS),
    "POST /api/v1/enterprises/{entity_id}/purchases": post(PROFILE_EDITORS),
    "POST /api/v1/enterprises/{entity_id}/purchases/{purchase_id}/void": post(PROFILE_EDITORS),
    "GET /api/v1/policies": page(EVERYONE),  # scoped: published ones for an enterprise
    "POST /api/v1/policies": post(POLICY_EDITORS),
    "GET /api/v1/policies/{policy_id}": page(POLICY_READERS),
    "POST /api/v1/policies/{policy_id}/edit": post(POLICY_EDITORS),
    "GET /api/v1/policies/{policy_id}/eligible": page(PROFILE_VIEWERS),
    "POST /api/v1/policies/{policy_id}/grants/propose": post(POLICY_EDITORS),
    "GET /api/v1/grants": page(EVERYONE),  # scoped: an enterprise sees its own
    "POST /api/v1/grants": post(POLICY_EDITORS),
    "POST /api/v1/grants/{grant_id}/confirm": post(POLICY_EDITORS),
    "POST /api/v1/grants/{grant_id}/reject": post(POLICY_EDITORS),
    "GET /api/v1/applications": page(EVERYONE),  # scoped like grants
    "POST /api/v1/applications": post(POLICY_APPLICANTS),
    "POST /api/v1/applications/{application_id}/approve": post(POLICY_EDITORS),
    "POST /api/v1/applications/{application_id}/pay": post(POLICY_EDITORS),
    "POST /api/v1/applications/{application_id}/reject": post(POLICY_EDITORS),
    "GET /api/v1/tokens": page(EVERYONE),
    "GET /api/v1/park/tokens": page(roles("admin")),
    "POST /api/v1/tokens/{token_id}/revoke": post(TOKEN_OWNERS),
    "GET /api/v1/escalation/proposals": page(EVERYONE),  # scoped: empty for the others
    "POST /api/v1/escalation/proposals/{proposal_id}/accept": post(DISPATCH),
    "POST /api/v1/escalation/proposals/{proposal_id}/dismiss": post(DISPATCH),
    "GET /api/v1/escalation/rules": page(MANAGERS),
    "POST /api/v1/escalation/rules": post(DISPATCH),
    "GET /api/v1/experts": page(MANAGERS | {"expert"}),  # an expert sees their own entry
    "GET /api/v1/consultations": page(EVERYONE),  # scoped
    "GET /api/v1/consultations/{consultation_id}": page(CONSULT_VIEWERS),
    "POST /api/v1/consultations/{consultation_id}/opinion": post(
        roles("expert"), data={"text": "建议先行分宗测绘"}
    ),
    "GET /api/v1/meetings": page(EVERYONE),  # scoped
    "POST /api/v1/meetings": post(DISPATCH),
    "GET /api/v1/meetings/{meeting_id}": page(MEETING_VIEWERS),
    "POST /api/v1/meetings/{meeting_id}/agenda": post(DISPATCH),
    "POST /api/v1/meetings/{meeting_id}/decisions": post(
        MANAGERS, data={"item_id": "0", "kind": "explained", "text": "政策解释"}
    ),
    "POST /api/v1/meetings/{meeting_id}/hold": post(MANAGERS),
    "POST /api/v1/meetings/{meeting_id}/attendance": post(MANAGERS),
    "POST /api/v1/meetings/{meeting_id}/issue": post(DISPATCH),
    "GET /api/v1/projects": page(EVERYONE),  # scoped
    "POST /api/v1/projects": post(MANAGERS),
    "GET /api/v1/projects/{project_id}": page(PROJECT_VIEWERS),
    "POST /api/v1/projects/{project_id}/milestones": post(MANAGERS),
    "GET /api/v1/livelihood-projects": page(EVERYONE),  # scoped (empty for the others)
    "GET /api/v1/livelihood-projects/{livelihood_id}": page(LIVELIHOOD_VIEWERS),
    "POST /api/v1/livelihood-projects/{livelihood_id}/progress": post(LIVELIHOOD_REPORTERS),
    "GET /api/v1/supervision/inspections": page(EVERYONE),  # scoped
    "POST /api/v1/supervision/inspections": post(DISPATCH),
    "GET /api/v1/supervision/inspections/{inspection_id}": page(INSPECTION_VIEWERS),
    "POST /api/v1/supervision/inspections/{inspection_id}/report": post(
        roles("handler", "head"), data={"rectification": "已逐户电话联系企业"}
    ),
    "POST /api/v1/supervision/inspections/{inspection_id}/verify": post(
        DISPATCH, data={"passed": "false", "note": "未附联系记录"}
    ),
    "GET /api/v1/matchmaking/chains": page(EVERYONE),
    "GET /api/v1/matchmaking/products": page(EVERYONE),  # scoped: empty for the others
    "POST /api/v1/matchmaking/products": post(MM_PUBLISHERS),
    "GET /api/v1/matchmaking/products/{product_id}": page(MM_VIEWERS),
    "GET /api/v1/matchmaking/needs": page(EVERYONE),  # scoped
    "POST /api/v1/matchmaking/needs": post(MM_PUBLISHERS),
    "GET /api/v1/matchmaking/needs/{need_id}": page(MM_VIEWERS, need_id="mm_need_id"),
    "GET /api/v1/matchmaking/needs/{need_id}/matches": page(MM_STAFF, need_id="mm_need_id"),
    "GET /api/v1/matchmaking/events": page(EVERYONE),  # scoped
    "POST /api/v1/matchmaking/events": post(MANAGERS),
    "GET /api/v1/matchmaking/events/{event_id}": page(MM_VIEWERS),
    "POST /api/v1/matchmaking/events/{event_id}/invitations": post(MANAGERS),
    "GET /api/v1/matchmaking/events/{event_id}/registrations": page(MM_VIEWERS),
    "POST /api/v1/matchmaking/events/{event_id}/registrations": post(MM_PUBLISHERS | MANAGERS),
    "GET /api/v1/matchmaking/events/{event_id}/slots": page(MM_VIEWERS),
    "POST /api/v1/matchmaking/events/{event_id}/slots": post(MANAGERS),
    "POST /api/v1/matchmaking/events/{event_id}/orders": post(MANAGERS),
    "GET /api/v1/matchmaking/orders": page(EVERYONE),  # scoped
    "GET /api/v1/matchmaking/orders/{order_id}": page(MM_VIEWERS),
    "POST /api/v1/matchmaking/orders/{order_id}/sign": post(MANAGERS),
    "POST /api/v1/matchmaking/orders/{order_id}/follow-ups": post(MM_STAFF),
    "GET /api/v1/matchmaking/figures": page(MM_STAFF),
    "api:api-root": page(NOBODY),
    "api:openapi-json": page(PUBLIC),
    "api:openapi-view": page(PUBLIC),
    # ---------------------------------------------------------------- pages
    "admin:*": form(NOBODY),
    "home": page(EVERYONE),
    "login": form(PUBLIC),
    # 查询进度: anyone may try a number and code; without a proven code the item's page sends
    # the visitor back to the form (a redirect, not the login page), and a rating is not taken.
    "track": form(PUBLIC),
    "track_detail": page(PUBLIC, number="QS-2026-000001"),
    "track_rate": post(PUBLIC, number="QS-2026-000001"),
    "track_supply": post(PUBLIC, number="QS-2026-000001"),
    "demands:track_code": post(roles("dispatcher", "admin", "liaison", "leader")),
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
    # 园区管理 (parkadmin): the park's administrator only.
    "parkadmin:departments": page(roles("admin")),
    "parkadmin:department_new": form(roles("admin")),
    "parkadmin:department_edit": form(roles("admin"), pk="department_pk"),
    "parkadmin:staff": page(roles("admin")),
    "parkadmin:staff_new": form(roles("admin")),
    "parkadmin:staff_edit": form(roles("admin"), pk="staff_id"),
    "parkadmin:reset_password": post(roles("admin"), pk="staff_id"),
    "parkadmin:categories": page(roles("admin")),
    "parkadmin:templates": page(roles("admin")),
    "parkadmin:template_new": form(roles("admin")),
    "parkadmin:template_edit": form(roles("admin"), pk="template_pk"),
    "parkadmin:category_new": form(roles("admin")),
    "parkadmin:category_edit": form(roles("admin"), pk="category_pk"),
    "parkadmin:settings": form(roles("admin")),
    "parkadmin:calendar_year": form(roles("admin"), year="2027"),
    "parkadmin:changes": page(roles("admin")),
    "demands:ledger": page(STAFF),
    "demands:save_view": post(STAFF),  # 我的视图: one's own, so any staff member may save
    "demands:delete_view": post(roles("dispatcher")),  # the scene's view is the dispatcher's
    "demands:export": form(STAFF),  # POST: a background export (demands.exports)
    # An export job and its file: only the one who asked (the scene's is the dispatcher's).
    "demands:export_job": page(roles("dispatcher")),
    "demands:export_file": page(roles("dispatcher")),
    "demands:new": form(
        roles("dispatcher", "liaison", "leader", "enterprise", "resident", "admin")
    ),
    "demands:bulk": post(DISPATCH | {"leader"}),
    "demands:detail": page(DEMAND_VIEWERS),
    "demands:act": post(DEMAND_VIEWERS, action="comment"),
    "demands:upload": post(DEMAND_VIEWERS),
    "demands:download": page(DEMAND_VIEWERS),
    "demands:access_log": page(roles("dispatcher")),  # 查阅记录: the 督查 role
    "demands:reveal": post(REVEALERS, field="phone"),
    "notifications:list": page(EVERYONE),
    "notifications:bell": page(EVERYONE),
    "notifications:open": page(roles("handler"), pk="notification_id"),  # one's own only
    "notifications:read_all": post(EVERYONE),
    "notifications:preferences": form(EVERYONE),
    "notifications:deliveries": page(roles("admin")),
    # The SMS gateway's receipts: only with the gateway's key, which no persona holds.
    "notifications:sms_receipt": post(NOBODY),
    "notifications:complete_call": post(roles("liaison", "dispatcher", "admin")),
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
    "profiles:index": page(PROFILE_VIEWERS),
    "profiles:new": form(DISPATCH),
    "profiles:suggest": post(PROFILE_VIEWERS),
    "profiles:import": form(DISPATCH),
    "profiles:detail": page(PROFILE_VIEWERS),
    "profiles:figures": post(PROFILE_EDITORS),
    "profiles:certification": post(PROFILE_EDITORS),
    "profiles:revoke": post(PROFILE_EDITORS),
    "profiles:size_override": post(PROFILE_EDITORS),
    "profiles:plan_new": post(PROFILE_PLANNERS),
    "profiles:plan_goal": post(PROFILE_PLANNERS),
    "profiles:plan_measure": post(PROFILE_PLANNERS),
    "profiles:measure_status": post(PROFILE_PLANNERS),
    "profiles:plan_review": post(PROFILE_PLANNERS),
    "profiles:export": page(PROFILE_VIEWERS),
    "profiles:purchase": post(PROFILE_EDITORS),
    "profiles:purchase_void": post(PROFILE_EDITORS),
    "policies:index": page(PROFILE_VIEWERS),
    "policies:new": form(POLICY_EDITORS),
    "policies:mine": page(roles("enterprise")),
    "policies:import": form(DISPATCH),
    "policies:detail": page(PROFILE_VIEWERS),
    "policies:edit": form(POLICY_EDITORS),
    "policies:propose": post(POLICY_EDITORS),
    "policies:apply": post(POLICY_APPLICANTS),
    "policies:confirm": post(POLICY_EDITORS),
    "policies:reject": post(POLICY_EDITORS),
    "policies:decide": post(POLICY_EDITORS),
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
    "knowledge:index": page(EVERYONE),
    "knowledge:new": form(KB_AUTHORS),
    "knowledge:import": form(roles("dispatcher", "admin", "head")),
    "knowledge:detail": page(EVERYONE, pk="kb_entry_id"),
    "knowledge:edit": form(KB_EDITORS, pk="kb_entry_id"),
    "knowledge:status": post(KB_EDITORS, pk="kb_entry_id"),
    "knowledge:upload": post(KB_EDITORS, pk="kb_entry_id"),
    "knowledge:download": page(EVERYONE, att_id="kb_att_id"),
    "knowledge:demand_panel": page(DEMAND_STAFF),
    "knowledge:promote": post(KB_AUTHORS),
    "knowledge:consult_new": post(roles("dispatcher", "admin", "liaison")),
    "knowledge:intake_panel": page(roles("dispatcher", "admin", "liaison", "leader")),
    "knowledge:portal_panel": page(REQUESTERS),
    "knowledge:self_serve": post(REQUESTERS),
    "knowledge:consults": page(STAFF - {"expert"}),
    "knowledge:consult": form(KB_CONSULT_VIEWERS, posting=roles("handler"), pk="kb_consult_id"),
    "routing:index": page(PLANNERS),
    "routing:retrain": post(DISPATCH),
    "routing:threshold": post(roles("admin")),
    "routing:activate": post(roles("admin")),
    "routing:common": page(REPORTS),
    "routing:similar_text": page(EVERYONE),
    "routing:similar": page(DEMAND_STAFF),
    # the intake assistant (从文本提取) and the hotline's enterprise lookup: who types demands in
    "routing:intake_extract": post(INTAKE_STAFF, data={"description": "恒远来电，联系人张伟"}),
    "routing:entity_lookup": page(INTAKE_STAFF),
    "routing:caller": page(INTAKE_STAFF),
    # accounts: one's own security and tokens; the administrator's park-wide pages
    "accounts:security": page(EVERYONE),
    "accounts:password": form(EVERYONE),
    "accounts:otp_setup": form(EVERYONE),
    "accounts:otp_verify": form(EVERYONE),  # without a device: sent on to the enrolment
    "accounts:backup_codes": post(EVERYONE),
    "accounts:otp_remove": post(EVERYONE),
    "accounts:tokens": form(EVERYONE),
    "accounts:revoke_token": post(TOKEN_OWNERS),
    "accounts:manage_security": page(roles("admin")),
    "accounts:manage_unlock": post(roles("admin")),
    "accounts:reset_otp": post(roles("admin"), data={"reason": "手机遗失，已电话核实"}),
    "accounts:park_tokens": page(roles("admin")),
    # escalation (提级建议)
    "escalation:proposals": page(MANAGERS),
    "escalation:decide": post(DISPATCH, pk="proposal_id", decision="dismiss"),
    "escalation:rules": form(MANAGERS, DISPATCH),
    # experts (专家会诊, 遗留问题清零)
    "experts:pool": page(MANAGERS),
    "experts:consultations": page(CONSULT_VIEWERS | {"handler", "head"}),
    "experts:consultation_new": form(MANAGERS),
    "experts:consultation": page(CONSULT_VIEWERS, pk="consultation_id"),
    "experts:opinion": post(roles("expert"), pk="consultation_id"),
    "experts:conclude": post(roles("leader"), pk="consultation_id"),  # the chair only
    "experts:panel": post(MANAGERS, pk="consultation_id"),  # a meeting's referral: pick the panel
    "experts:board": page(MANAGERS),
    "experts:rule": form(MANAGERS),
    # meetings (接待日, 调度会)
    "meetings:list": page(EVERYONE),  # scoped: each sees the meetings that concern them
    "meetings:new": form(DISPATCH),
    "meetings:schedules": form(DISPATCH),
    "meetings:register": form(roles("enterprise")),
    "meetings:detail": page(MEETING_VIEWERS),
    "meetings:edit": form(DISPATCH),
    "meetings:live": page(MANAGERS),
    "meetings:action": post(DISPATCH, action="refresh"),
    "meetings:docx": page(MEETING_STAFF),
    "meetings:pdf": page(MEETING_STAFF),
    # projects (重点项目)
    "projects:list": page(PROJECT_VIEWERS),
    "projects:export": page(PROJECT_VIEWERS),
    "projects:new": form(MANAGERS),
    "projects:detail": page(PROJECT_VIEWERS, pk="project_id"),
    "projects:edit": form(MANAGERS, pk="project_id"),
    "projects:stage": post(MANAGERS, pk="project_id"),
    "projects:milestone_add": post(MANAGERS, pk="project_id"),  # planning; dates: PROGRESS
    "projects:milestone_update": post(PROJECT_PROGRESS, pk="project_id"),
    "projects:inspection_add": post(PROJECT_INSPECTORS, pk="project_id"),
    "projects:inspection_close": post(PROJECT_INSPECTORS, pk="project_id"),
    "projects:livelihood_list": page(LIVELIHOOD_VIEWERS),
    "projects:livelihood_detail": page(LIVELIHOOD_VIEWERS, pk="livelihood_id"),
    "projects:livelihood_progress": post(LIVELIHOOD_REPORTERS, pk="livelihood_id"),
    "projects:livelihood_urge": post(
        MANAGERS, pk="livelihood_id"
    ),  # 催办: the ledger's DISPATCH, LEADER
    "projects:livelihood_confirm": post(DISPATCH, pk="livelihood_id"),
    "projects:livelihood_callback": post(DISPATCH, pk="livelihood_id"),
    "projects:livelihood_close": post(DISPATCH, pk="livelihood_id"),
    # matchmaking (供需对接)
    "matchmaking:index": page(MM_VIEWERS),
    "matchmaking:products": page(MM_VIEWERS),
    "matchmaking:product_new": form(MM_PUBLISHERS),
    "matchmaking:product_import": form(MANAGERS),
    "matchmaking:product": form(MM_VIEWERS, MM_PUBLISHERS, pk="mm_product_id"),
    "matchmaking:product_status": post(MM_PUBLISHERS, pk="mm_product_id"),
    "matchmaking:brochure": page(MM_STAFF, kind="docx"),
    "matchmaking:needs": page(MM_VIEWERS),
    "matchmaking:need_new": form(MM_PUBLISHERS),
    "matchmaking:need": page(MM_VIEWERS, pk="mm_need_id"),
    "matchmaking:need_close": post(MM_PUBLISHERS, pk="mm_need_id"),
    "matchmaking:events": page(MM_VIEWERS),
    "matchmaking:event_new": form(MANAGERS),
    "matchmaking:event": page(MM_VIEWERS, pk="mm_event_id"),
    "matchmaking:event_act": post(MANAGERS, pk="mm_event_id", step="invite"),
    "matchmaking:order": page(MM_VIEWERS, pk="mm_order_id"),
    "matchmaking:order_act": post(MANAGERS, pk="mm_order_id", step="sign"),
    # supervision (督查)
    "supervision:list": page(INSPECTION_VIEWERS),
    "supervision:new": form(DISPATCH),
    "supervision:bulletin": page(MANAGERS),
    "supervision:detail": page(INSPECTION_VIEWERS, pk="inspection_id"),
    # The department inspected reports its rectification; the others are refused.
    "supervision:act": post(roles("handler", "head"), pk="inspection_id", step="report"),
}

# One API operation per workflow action (demands.schemas.BODIES), each with who may fire it on
# the scene's demand as demands.workflow says: an empty body is a 422 for an action with required
# fields, whoever asks; the others reach the role check.
TASK_DEPARTMENT = roles("handler", "head")
ACTION_ROLES: dict[str, frozenset[str]] = {
    "resolve_on_spot": DISPATCH | {"liaison"},
    "dispatch": DISPATCH,
    "undo_dispatch": DISPATCH,
    "sign": TASK_DEPARTMENT,
    "return": TASK_DEPARTMENT,
    "redispatch": DISPATCH,
    "insist": DISPATCH,
    "request_extension": TASK_DEPARTMENT,
    "decide_extension": DISPATCH,
    "pause": TASK_DEPARTMENT,
    "resume": TASK_DEPARTMENT | DISPATCH | {"enterprise"},
    "reply": TASK_DEPARTMENT,
    "confirm": DISPATCH | {"enterprise", "liaison"},
    "record_callback": DISPATCH | {"liaison"},
    "close": DISPATCH,
    "reopen": DISPATCH | {"enterprise"},
    "urge": DISPATCH | {"leader"},
    "merge": DISPATCH,
    "escalate": DISPATCH | {"leader"},
    "comment": DEMAND_VIEWERS,
    # department heads: 指派 (the dispatch centre too), review of answers
    "assign": DISPATCH | {"head"},
    "require_review": roles("head"),
    "approve_reply": roles("head"),
    "send_back_reply": roles("head"),
    # 补充材料: asked by the dispatch centre or the department, answered by the requester
    "ask_info": TASK_DEPARTMENT | DISPATCH,
    "supply_info": roles("enterprise"),
    "record_supply": TASK_DEPARTMENT | DISPATCH,
    "close_unreachable": DISPATCH,
}
TABLE.update(
    {
        f"POST /api/v1/demands/{{demand_id}}/actions/{action}": post(allowed)
        for action, allowed in ACTION_ROLES.items()
    }
)

# ---------------------------------------------------------------- 银企对接 (finance)
# A 金融机构 user (persona "bank") reaches nothing of the product but 银企对接, its own account
# and notifications (finance.gate): every other line above refuses it. The scene's bank works
# for the scene's institution, to which the enterprise consented (name, needs) and showed its
# need; the liaison serves that enterprise.
BANK = roles("bank")
FIN_VIEWERS = roles("dispatcher", "admin", "leader", "liaison", "enterprise")
FIN_ACTORS = roles("dispatcher", "admin", "liaison", "enterprise")
BANK_OWN = (
    "home",
    "login",
    "logout",
    "healthz",
    "switch_park",
    "api:openapi-json",
    "api:openapi-view",
    "GET /api/v1/me",
    "GET /api/v1/tokens",
    "accounts:security",
    "accounts:password",
    "accounts:otp_setup",
    "accounts:otp_verify",
    "accounts:backup_codes",
    "accounts:otp_remove",
    "accounts:tokens",
    "notifications:list",
    "notifications:bell",
    "notifications:read_all",
    "notifications:preferences",
)


def _with_bank(rule: Rule) -> Rule:
    return Rule(
        get=None if rule.get is None else rule.get | BANK,
        post=None if rule.post is None else rule.post | BANK,
        values=rule.values,
        ends_session=rule.ends_session,
        data=rule.data,
    )


for _key in BANK_OWN:
    TABLE[_key] = _with_bank(TABLE[_key])

PARAMS.update(
    {
        "institution_id": "institution_id",
        "need_id": "need_id",
        "consent_id": "consent_id",
        "referral_id": "referral_id",
        "disbursement_id": "disbursement_id",
    }
)
TABLE.update(
    {
        "finance:index": page(FIN_VIEWERS),
        "finance:export": page(FIN_VIEWERS),
        "finance:need_new": form(FIN_ACTORS),
        "finance:need": page(FIN_VIEWERS, pk="need_id"),
        "finance:refer": post(FIN_ACTORS, pk="need_id"),
        "finance:need_withdraw": post(FIN_ACTORS, pk="need_id"),
        "finance:consents": form(FIN_ACTORS),
        "finance:consent_withdraw": post(FIN_ACTORS, pk="consent_id"),
        "finance:institutions": page(FIN_VIEWERS),
        "finance:institution_new": form(DISPATCH),
        "finance:institution": page(FIN_VIEWERS | BANK, pk="institution_id"),
        "finance:product_add": post(DISPATCH | BANK, pk="institution_id"),
        "finance:bank": page(BANK),
        "finance:bank_export": page(BANK),
        "finance:shared": page(BANK, pk="entity_id"),
        "finance:referral": page(FIN_VIEWERS | BANK, pk="referral_id"),
        "finance:answer": post(BANK, pk="referral_id"),
        # 放款: the lending bank, or the centre recording for it
        "finance:disburse": post(DISPATCH | BANK, pk="approved_referral_id"),
        "finance:disbursement_void": post(DISPATCH | BANK, pk="disbursement_id"),
        "GET /api/v1/finance/referrals/{referral_id}/disbursements": page(FIN_VIEWERS | BANK),
        "POST /api/v1/finance/referrals/{referral_id}/disbursements": post(DISPATCH | BANK),
        "POST /api/v1/finance/disbursements/{disbursement_id}/void": post(DISPATCH | BANK),
        # Scoped lists: each sees its own (empty for the roles without a part in 银企对接).
        "GET /api/v1/finance/institutions": page(EVERYONE | BANK),
        "POST /api/v1/finance/institutions": post(DISPATCH),
        "GET /api/v1/finance/products": page(EVERYONE | BANK),
        "POST /api/v1/finance/institutions/{institution_id}/products": post(DISPATCH | BANK),
        "GET /api/v1/finance/needs": page(EVERYONE | BANK),
        "POST /api/v1/finance/needs": post(FIN_ACTORS),
        "GET /api/v1/finance/needs/{need_id}": page(FIN_VIEWERS | BANK),
        "POST /api/v1/finance/needs/{need_id}/referrals": post(FIN_ACTORS),
        "GET /api/v1/finance/consents": page(EVERYONE | BANK),
        "POST /api/v1/finance/consents": post(FIN_ACTORS),
        "POST /api/v1/finance/consents/{consent_id}/withdraw": post(FIN_ACTORS),
        "GET /api/v1/finance/referrals": page(EVERYONE | BANK),
        "GET /api/v1/finance/referrals/{referral_id}": page(FIN_VIEWERS | BANK),
        "POST /api/v1/finance/referrals/{referral_id}/answer": post(BANK),
        "GET /api/v1/finance/enterprises": page(EVERYONE | BANK),
        "GET /api/v1/finance/enterprises/{entity_id}": page(BANK),
    }
)
