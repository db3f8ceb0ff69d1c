"""The typed edge of the ledger: one request body per workflow action, enums from the model choices.

The API validates its request bodies against these models, and the pages parse their forms into
the same models (`parse_action`), so the services receive typed values (ints, enums, stripped
text within its limits) whichever way a request came, and parse nothing themselves.
`demands.services.perform` dispatches on the model's class.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints, ValidationError

from demands.models import CallbackMethod, Outcome, ReturnReason, Satisfaction, Tier
from qinshang import limits
from qinshang.errors import InvalidInput, NotFound
from qinshang.limits import Id, Line, Text

TITLE_MAX = 200
TEXT_MAX = 20_000  # a description, an answer
NOTE_MAX = 5_000  # a note, a reason, a comment
MAX_DAYS = 120  # a time limit in working days
MAX_EXTENSION_DAYS = 60
MAX_CO_DEPARTMENTS = 20

Blank = Literal[""]
"""The value of an optional choice that has not been made yet (a tier before routing, …)."""


class Action(enum.StrEnum):
    """The workflow actions of the ledger (demands.workflow.TRANSITIONS), by their API name."""

    RESOLVE_ON_SPOT = "resolve_on_spot"
    DISPATCH = "dispatch"
    UNDO_DISPATCH = "undo_dispatch"
    SIGN = "sign"
    RETURN = "return"
    REDISPATCH = "redispatch"
    INSIST = "insist"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    PAUSE = "pause"
    RESUME = "resume"
    REPLY = "reply"
    CONFIRM = "confirm"
    RECORD_CALLBACK = "record_callback"
    CLOSE = "close"
    REOPEN = "reopen"
    URGE = "urge"
    MERGE = "merge"
    ESCALATE = "escalate"
    COMMENT = "comment"
    ASSIGN = "assign"
    REQUIRE_REVIEW = "require_review"
    APPROVE_REPLY = "approve_reply"
    SEND_BACK_REPLY = "send_back_reply"
    ASK_INFO = "ask_info"
    SUPPLY_INFO = "supply_info"
    RECORD_SUPPLY = "record_supply"
    CLOSE_UNREACHABLE = "close_unreachable"


class UnreachableKind(enum.StrEnum):
    """Why an item whose requester never supplied the material is closed."""

    UNREACHABLE = "unreachable"
    INCOMPLETE = "incomplete"

    @property
    def label(self) -> str:
        return {"unreachable": "无法联系", "incomplete": "资料不全"}[self.value]


class EscalationTier(enum.StrEnum):
    """The rungs a demand may be escalated to (a subset of Tier)."""

    RECEPTION_DAY = Tier.RECEPTION_DAY.value
    PROJECT_MEETING = Tier.PROJECT_MEETING.value
    EXPERT = Tier.EXPERT.value


# Text after stripping: optional notes may be empty, required ones not.
Note = Annotated[Text, StringConstraints(strip_whitespace=True, max_length=NOTE_MAX)]
RequiredNote = Annotated[
    Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=NOTE_MAX)
]
Answer = Annotated[
    Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX)
]
Days = Annotated[int, Field(ge=1, le=MAX_DAYS)]


TASK_HELP = "任务编号；不填时为本部门在该诉求上的任务"


class ActionBody(Schema):
    # An unknown key is refused (422), as before typed bodies: a misspelt field must not be
    # silently ignored.
    model_config = ConfigDict(extra="forbid")


class ResolveOnSpotIn(ActionBody):
    """当场解决：受理人当即答复，诉求进入回访。"""

    answer: Answer = Field(..., title="答复内容")
    outcome: Outcome = Field(default=Outcome.SOLVED, title="办理结果")
    category_id: Id | None = Field(default=None, title="诉求类别", description="类别编号")
    reference: Line = Field(
        default="",
        max_length=40,
        title="答复依据",
        description="答复所依据的知识条目（kb:编号）或三方连线（consult:编号），可不填",
    )


class DispatchIn(ActionBody):
    """交办：指定主办部门（及协办部门）和办理时限（工作日）。"""

    lead_department_id: Id = Field(..., title="主办部门")
    co_department_ids: list[Id] = Field(
        default_factory=list, title="协办部门", max_length=MAX_CO_DEPARTMENTS
    )
    time_limit_days: Days | None = Field(
        default=None, title="办理时限", description="工作日；不填时为类别的默认时限"
    )
    co_time_limit_days: Days | None = Field(
        default=None, title="协办时限", description="工作日；不填时同办理时限"
    )
    category_id: Id | None = Field(
        default=None, title="诉求类别", description="不填时为诉求现有类别"
    )
    note: Note = Field(default="", title="交办意见")


class SignIn(ActionBody):
    """签收。"""

    task_id: Id | None = Field(default=None, title="任务", description=TASK_HELP)
    note: Note = Field(default="", title="签收意见")


class ReturnIn(ActionBody):
    """退单：理由为“其他”时须写明说明。"""

    task_id: Id | None = Field(default=None, title="任务", description=TASK_HELP)
    reason: ReturnReason = Field(..., title="退单理由")
    note: Note = Field(default="", title="退单说明")


class RedispatchIn(ActionBody):
    """改派退单的任务；退单的协办任务可不指定部门而直接撤销。"""

    task_id: Id | None = Field(default=None, title="任务", description=TASK_HELP)
    department_id: Id | None = Field(default=None, title="改派部门")
    time_limit_days: Days | None = Field(
        default=None, title="办理时限", description="不填时沿用原时限"
    )
    note: Note = Field(default="", title="改派说明")


class InsistIn(ActionBody):
    """坚持交办：部门须签收，不能再次退单。"""

    task_id: Id | None = Field(default=None, title="任务", description=TASK_HELP)
    note: RequiredNote = Field(..., title="坚持交办理由")


class RequestExtensionIn(ActionBody):
    """申请延期。"""

    task_id: Id | None = Field(default=None, title="任务", description=TASK_HELP)
    days: Annotated[int, Field(ge=1, le=MAX_EXTENSION_DAYS)] = Field(..., title="延期天数")
    reason: RequiredNote = Field(..., title="延期理由")


class DecideExtensionIn(ActionBody):
    """审批延期：驳回时须写明审批意见。"""

    task_id: Id | None = Field(default=None, title="任务", description=TASK_HELP)
    extension_id: Id | None = Field(
        default=None, title="延期申请", description="不填时为该任务待审批的申请"
    )
    approve: bool = Field(..., title="同意或驳回")
    note: Note = Field(default="", title="审批意见")


class PauseIn(ActionBody):
    """待补充材料：计时暂停，直到恢复办理。"""

    task_id: Id | None = Field(default=None, title="任务", description=TASK_HELP)
    note: RequiredNote = Field(..., title="需补充的材料")


class ResumeIn(ActionBody):
    """恢复办理：暂停的工作日顺延办理期限。"""

    task_id: Id | None = Field(default=None, title="任务", description=TASK_HELP)
    note: Note = Field(default="", title="说明")


class ReplyIn(ActionBody):
    """答复。"""

    task_id: Id | None = Field(default=None, title="任务", description=TASK_HELP)
    answer: Answer = Field(..., title="答复内容")
    outcome: Outcome = Field(..., title="办理结果")


class ConfirmIn(ActionBody):
    """回访评价：不满意时须写明意见，主办任务退回重办。"""

    satisfaction: Satisfaction = Field(..., title="满意度")
    comment: Note = Field(default="", title="评价意见")
    method: CallbackMethod | None = Field(
        default=None,
        title="回访方式",
        description="不填时：诉求人本人为 self，工作人员代记为 phone",
    )


class RecordCallbackIn(ActionBody):
    """回访未果。"""

    note: RequiredNote = Field(..., title="回访情况")


class UndoDispatchIn(ActionBody):
    """撤销交办：交办人本人在交办后 10 分钟内、承办部门签收前可撤销，诉求回到待交办。"""

    note: Note = Field(default="", title="撤销理由")


class CloseIn(ActionBody):
    """销号。"""

    note: Note = Field(default="", title="销号意见")


class ReopenIn(ActionBody):
    """重新打开（销号后 30 天内）。"""

    reason: RequiredNote = Field(..., title="重新打开理由")


class UrgeIn(ActionBody):
    """催办 → 督办 → 挂牌督办。"""

    note: Note = Field(default="", title="督办意见")


class MergeIn(ActionBody):
    """合并重复：into_id 或 into_number 指定继续办理的诉求。"""

    into_id: Id | None = Field(default=None, title="合并目标诉求")
    into_number: Annotated[Line, StringConstraints(strip_whitespace=True, max_length=30)] | None = (
        Field(default=None, title="合并目标诉求编号")
    )
    note: Note = Field(default="", title="合并说明")


class EscalateIn(ActionBody):
    """提级协调：企业接待日、重点项目调度会、专家协商。"""

    tier: EscalationTier = Field(..., title="提级层级")
    note: RequiredNote = Field(..., title="提级理由")


class CommentIn(ActionBody):
    """备注。"""

    note: RequiredNote = Field(..., title="备注")


class AssignIn(ActionBody):
    """指派经办人：部门负责人（或派单中心）把任务交给本部门的一名经办人；改派给另一人时须写明理由。"""

    task_id: Id | None = Field(default=None, title="任务", description=TASK_HELP)
    handler_id: Id = Field(..., title="经办人", description="任务所属部门的经办人或负责人")
    note: Note = Field(default="", title="指派说明", description="改派给另一人时必填")


class RequireReviewIn(ActionBody):
    """答复审核设置：部门负责人要求（或取消要求）该任务的答复先经审核再发出。"""

    task_id: Id | None = Field(default=None, title="任务", description=TASK_HELP)
    required: bool = Field(default=True, title="须经审核")
    note: Note = Field(default="", title="说明")


class ApproveReplyIn(ActionBody):
    """审核通过：经办人的答复发出，诉求人随即可以查看。"""

    task_id: Id | None = Field(default=None, title="任务", description=TASK_HELP)
    note: Note = Field(default="", title="审核意见")


class SendBackReplyIn(ActionBody):
    """退回修改：答复退回经办人，须写明修改意见；办理时限照常计算。"""

    task_id: Id | None = Field(default=None, title="任务", description=TASK_HELP)
    note: RequiredNote = Field(..., title="修改意见")


class AskInfoIn(ActionBody):
    """请诉求人补充材料：写明需要补充什么；诉求人答复前各部门任务暂停计时。"""

    question: RequiredNote = Field(..., title="需补充的内容")


class SupplyInfoIn(ActionBody):
    """补充材料：诉求人答复园区的问题，暂停的任务恢复计时。"""

    answer: Answer = Field(..., title="补充内容")


class RecordSupplyIn(ActionBody):
    """记录电话补充：诉求人在电话中答复了园区的问题，派单中心或在办部门记下所说内容，暂停的任务恢复计时。"""

    answer: Answer = Field(..., title="诉求人电话中补充的内容")


class CloseUnreachableIn(ActionBody):
    """无法联系销号：诉求人超过园区规定的工作日数仍未补充材料时，派单中心写明理由后销号。"""

    kind: UnreachableKind = Field(..., title="销号原因")
    note: RequiredNote = Field(..., title="销号说明")


BODIES: dict[Action, type[ActionBody]] = {
    Action.RESOLVE_ON_SPOT: ResolveOnSpotIn,
    Action.DISPATCH: DispatchIn,
    Action.UNDO_DISPATCH: UndoDispatchIn,
    Action.SIGN: SignIn,
    Action.RETURN: ReturnIn,
    Action.REDISPATCH: RedispatchIn,
    Action.INSIST: InsistIn,
    Action.REQUEST_EXTENSION: RequestExtensionIn,
    Action.DECIDE_EXTENSION: DecideExtensionIn,
    Action.PAUSE: PauseIn,
    Action.RESUME: ResumeIn,
    Action.REPLY: ReplyIn,
    Action.CONFIRM: ConfirmIn,
    Action.RECORD_CALLBACK: RecordCallbackIn,
    Action.CLOSE: CloseIn,
    Action.REOPEN: ReopenIn,
    Action.URGE: UrgeIn,
    Action.MERGE: MergeIn,
    Action.ESCALATE: EscalateIn,
    Action.COMMENT: CommentIn,
    Action.ASSIGN: AssignIn,
    Action.REQUIRE_REVIEW: RequireReviewIn,
    Action.APPROVE_REPLY: ApproveReplyIn,
    Action.SEND_BACK_REPLY: SendBackReplyIn,
    Action.ASK_INFO: AskInfoIn,
    Action.SUPPLY_INFO: SupplyInfoIn,
    Action.RECORD_SUPPLY: RecordSupplyIn,
    Action.CLOSE_UNREACHABLE: CloseUnreachableIn,
}


def action_of(name: str) -> Action:
    try:
        return Action(name)
    except ValueError:
        raise NotFound(f"未知的操作“{name}”") from None


def invalid_input(model: type[Schema], exc: ValidationError) -> InvalidInput:
    """The first error of a validation, in Chinese and named by the field's title, as a page
    shows it (the API answers with every error, see qinshang.api)."""
    err = exc.errors()[0]
    name = str(err["loc"][0]) if err.get("loc") else ""
    info = model.model_fields.get(name)
    label = (info.title if info else None) or name
    kind = err.get("type", "")
    if kind == "missing":
        verb = "请选择" if name in _CHOSEN else "请填写"
        return InvalidInput(f"{verb}{label}", field=name)
    if kind == "string_too_short":
        return InvalidInput(f"{label}不能为空", field=name)
    if kind == "extra_forbidden":
        return InvalidInput(f"不接受参数：{name}", field=name)
    if kind == "enum":
        expected = (err.get("ctx") or {}).get("expected", "")
        return InvalidInput(f"{label}“{err.get('input')}”无效，可选：{expected}", field=name)
    return InvalidInput(f"{label}{limits.message(dict(err))}", field=name)


_CHOSEN = {
    "outcome",
    "reason",
    "satisfaction",
    "tier",
    "approve",
    "lead_department_id",
    "handler_id",
    "kind",
}


def parse_action(name: str, data: Mapping[str, Any]) -> ActionBody:
    """A form's (or a command's) values as the action's typed body; InvalidInput if they do not
    fit. Empty form fields count as not given, so the body's defaults apply."""
    model = BODIES[action_of(name)]
    given = {k: v for k, v in data.items() if v not in ("", None)}
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        raise invalid_input(model, exc) from None
