"""The table of allowed transitions: which action, from which states, by whom.

The same table answers the API (403 / 409), the service functions and the buttons a page shows, so
they cannot drift apart. Relations ("the task's department", "the requester") are worked out by
`demands.services.actor_relations` and checked in `demands.services.check`; this module only
lists them.
"""

from dataclasses import dataclass

from demands.models import Status, TaskStatus
from orgs.models import Role

# Who may fire an action. Roles are matched on user.role; relations need the object.
DISPATCH = "dispatch_staff"  # dispatcher or admin of the park
TASK_DEPT = "task_department"  # handler or head of the department that holds the task
TASK_HEAD = "task_department_head"  # the head of the department that holds the task
REQUESTER = "requester"  # the enterprise's own users, or the resident who submitted it
LIAISON = "liaison"  # the demand's liaison (the enterprise's 专属服务员)
LEADER = "leader"
EXPERT = "expert"
INTAKE_ANY = "intake_staff"  # park staff who record demands: dispatcher, admin, liaison, leader

WORKING = (Status.DISPATCHED, Status.IN_PROGRESS, Status.RETURNED)


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    from_statuses: tuple[str, ...]
    actors: tuple[str, ...]
    task_statuses: tuple[str, ...] = ()  # non-empty: the action acts on one task in these states
    style: str = "secondary"  # how a page shows the button (primary, danger, secondary)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition(
            "resolve_on_spot", "当场解决", (Status.RECEIVED,), (DISPATCH, LIAISON), (), "primary"
        ),
        Transition("dispatch", "交办", (Status.RECEIVED,), (DISPATCH,), (), "primary"),
        # Only the dispatcher's own one, minutes old and untouched: demands.services.undo_dispatch.
        Transition("undo_dispatch", "撤销交办", (Status.DISPATCHED,), (DISPATCH,), (), "danger"),
        Transition("sign", "签收", WORKING, (TASK_DEPT,), (TaskStatus.PENDING,), "primary"),
        Transition("return", "退单", WORKING, (TASK_DEPT,), (TaskStatus.PENDING,), "danger"),
        Transition("redispatch", "改派", WORKING, (DISPATCH,), (TaskStatus.RETURNED,), "primary"),
        Transition("insist", "坚持交办", WORKING, (DISPATCH,), (TaskStatus.RETURNED,)),
        Transition(
            "request_extension",
            "申请延期",
            WORKING,
            (TASK_DEPT,),
            (TaskStatus.SIGNED, TaskStatus.PAUSED),
        ),
        Transition(
            "decide_extension",
            "审批延期",
            WORKING,
            (DISPATCH,),
            (TaskStatus.SIGNED, TaskStatus.PAUSED),
        ),
        Transition("pause", "待补充材料", WORKING, (TASK_DEPT,), (TaskStatus.SIGNED,)),
        Transition(
            "resume", "恢复办理", WORKING, (TASK_DEPT, DISPATCH, REQUESTER), (TaskStatus.PAUSED,)
        ),
        Transition("reply", "答复", WORKING, (TASK_DEPT,), (TaskStatus.SIGNED,), "primary"),
        Transition(
            "assign",
            "指派经办人",
            WORKING,
            (TASK_HEAD, DISPATCH),
            (TaskStatus.PENDING, TaskStatus.SIGNED, TaskStatus.PAUSED, TaskStatus.REVIEW),
        ),
        Transition(
            "require_review",
            "答复审核设置",
            WORKING,
            (TASK_HEAD,),
            (TaskStatus.PENDING, TaskStatus.SIGNED, TaskStatus.PAUSED),
        ),
        Transition(
            "approve_reply", "审核通过", WORKING, (TASK_HEAD,), (TaskStatus.REVIEW,), "primary"
        ),
        Transition(
            "send_back_reply", "退回修改", WORKING, (TASK_HEAD,), (TaskStatus.REVIEW,), "danger"
        ),
        # 补充材料: a question to the requester that stops the clock until they answer.
        Transition(
            "ask_info", "请诉求人补充材料", (Status.RECEIVED, *WORKING), (DISPATCH, TASK_DEPT)
        ),
        Transition(
            "supply_info", "补充材料", (Status.RECEIVED, *WORKING), (REQUESTER,), (), "primary"
        ),
        # The requester answered by phone: the dispatch centre or the department writes it down.
        Transition(
            "record_supply",
            "记录电话补充",
            (Status.RECEIVED, *WORKING),
            (DISPATCH, TASK_DEPT),
        ),
        Transition(
            "close_unreachable",
            "无法联系销号",
            (Status.RECEIVED, *WORKING),
            (DISPATCH,),
            (),
            "danger",
        ),
        Transition(
            "confirm", "回访评价", (Status.ANSWERED,), (REQUESTER, LIAISON, DISPATCH), (), "primary"
        ),
        Transition("record_callback", "回访未果", (Status.ANSWERED,), (LIAISON, DISPATCH)),
        Transition(
            "close", "销号", (Status.CONFIRMED, Status.ANSWERED), (DISPATCH,), (), "primary"
        ),
        Transition("reopen", "重新打开", (Status.CLOSED,), (DISPATCH, REQUESTER), (), "danger"),
        Transition("urge", "催办/督办", WORKING, (DISPATCH, LEADER), (), "danger"),
        Transition("merge", "合并重复", (Status.RECEIVED, *WORKING), (DISPATCH,)),
        Transition(
            "escalate", "提级协调", (Status.RECEIVED, *WORKING, Status.ANSWERED), (DISPATCH, LEADER)
        ),
        Transition(
            "comment",
            "备注",
            (*WORKING, Status.RECEIVED, Status.ANSWERED, Status.CONFIRMED, Status.CLOSED),
            (DISPATCH, TASK_DEPT, LIAISON, LEADER, EXPERT, REQUESTER),
        ),
    ]
}

URGE_LEVELS = {1: "催办", 2: "督办", 3: "挂牌督办"}

ROLE_ACTORS: dict[str, tuple[str, ...]] = {
    Role.DISPATCHER: (DISPATCH, INTAKE_ANY),
    Role.ADMIN: (DISPATCH, INTAKE_ANY),
    Role.LEADER: (LEADER, INTAKE_ANY),
    Role.LIAISON: (INTAKE_ANY,),
    Role.EXPERT: (EXPERT,),
}
