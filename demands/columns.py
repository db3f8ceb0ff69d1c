"""The columns of a park's demand ledger sheet (问题台账), and the names other sheets give them.

Every organisation's sheet differs: the same column is 责任单位 in one and 主办单位 in another,
时限要求 instead of 办结时限, 派发时间 instead of 交办时间. `FIELDS` is the one list: export writes
the first header of each field, import recognises all of them. A header nobody recognises is kept on
the item (Demand.extra) under its own name unless the user maps it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qinshang.sheets import normalise_header


@dataclass(frozen=True)
class Field:
    key: str
    header: str  # the header our export writes
    synonyms: tuple[str, ...] = ()
    width: int = 14
    kind: str = "text"  # text, datetime, date, int, bool, choice

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.synonyms)


# Export order: the layout parks use first (序号 … 满意度), then everything else the ledger holds,
# so that an export can be imported again without losing a field.
FIELDS: tuple[Field, ...] = (
    Field("seq", "序号", ("编号序号", "行号", "序"), 6, "int"),
    Field(
        "number", "编号", ("诉求编号", "工单编号", "工单号", "问题编号", "台账编号", "受理编号"), 18
    ),
    Field(
        "enterprise",
        "企业名称",
        (
            "企业",
            "单位名称",
            "市场主体",
            "市场主体名称",
            "诉求企业",
            "反映企业",
            "企业（单位）名称",
            "诉求人单位",
        ),
        28,
    ),
    Field(
        "description",
        "诉求内容",
        (
            "问题内容",
            "诉求事项",
            "问题描述",
            "反映问题",
            "具体诉求",
            "诉求描述",
            "来电内容",
            "反映内容",
            "问题及诉求",
            "企业诉求",
            "存在问题",
        ),
        50,
    ),
    Field(
        "category",
        "类别",
        (
            "诉求类型二级",
            "二级类别",
            "二级分类",
            "问题类型二级",
            "诉求分类",
            "问题类别",
            "问题类型",
            "诉求类别",
            "诉求类型",
            "类型",
            "分类",
            "事项类别",
        ),
        14,
    ),
    Field(
        "lead_department",
        "责任单位",
        (
            "主办单位",
            "承办单位",
            "责任部门",
            "主办部门",
            "承办部门",
            "牵头单位",
            "交办单位",
            "办理单位",
            "处置单位",
        ),
        20,
    ),
    Field("co_departments", "协办单位", ("协办部门", "配合单位", "配合部门", "会办单位"), 20),
    Field(
        "dispatched_at",
        "交办时间",
        ("派发时间", "派单时间", "转办时间", "交办日期", "派发日期", "分派时间"),
        18,
        "datetime",
    ),
    Field(
        "due_date",
        "办结时限",
        (
            "时限要求",
            "办理时限",
            "完成时限",
            "办结期限",
            "要求办结时间",
            "截止时间",
            "回复时限",
            "办结时间要求",
            "限办时间",
        ),
        12,
        "date",
    ),
    Field(
        "answer",
        "办理情况",
        (
            "办理结果说明",
            "答复内容",
            "处理情况",
            "办理进展",
            "回复内容",
            "办理进度",
            "处理结果",
            "答复意见",
            "落实情况",
            "解决情况",
        ),
        40,
    ),
    Field(
        "closed_flag",
        "是否办结",
        ("办结情况", "是否销号", "是否闭环", "是否完成", "办结"),
        8,
        "bool",
    ),
    Field(
        "satisfaction",
        "满意度",
        (
            "满意度评价",
            "企业评价",
            "回访评价",
            "评价",
            "满意",
            "是否满意",
            "回访结果",
            "企业满意度",
            "评价结果",
            "满意度评价结果",
            "回访满意度",
            "群众满意度",
        ),
        10,
        "choice",
    ),
    Field(
        "created_at",
        "受理时间",
        (
            "登记时间",
            "来电时间",
            "收集时间",
            "反映时间",
            "提交时间",
            "创建时间",
            "受理日期",
            "登记日期",
            "走访时间",
            "诉求时间",
        ),
        18,
        "datetime",
    ),
    Field(
        "channel", "来源渠道", ("来源", "渠道", "诉求来源", "问题来源", "收集方式"), 10, "choice"
    ),
    Field(
        "requester_kind",
        "诉求人类型",
        ("诉求主体类型", "反映人类型", "诉求主体", "来电人类型", "主体类型", "诉求人身份"),
        10,
        "choice",
    ),
    Field("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码", "统一代码"), 20),
    Field(
        "requester_name", "联系人", ("诉求人", "反映人", "来电人", "企业联系人", "联系人姓名"), 10
    ),
    Field("requester_phone", "联系电话", ("电话", "手机", "手机号", "联系方式", "来电号码"), 14),
    Field("community", "村/社区", ("村社区", "所属社区", "社区", "村（社区）"), 12),
    Field("title", "诉求标题", ("标题", "问题标题", "事项名称", "诉求摘要", "主题"), 24),
    Field(
        "category_l1",
        "一级类别",
        ("诉求类型一级", "一级分类", "问题类型一级", "大类", "诉求大类"),
        12,
    ),
    Field("category_l3", "三级类别", ("诉求类型三级", "三级分类", "问题类型三级", "小类"), 12),
    Field(
        "liaison",
        "专属服务员",
        ("服务员", "联企干部", "联点干部", "包联干部", "挂点干部", "收集人", "走访人"),
        10,
    ),
    Field("signed_at", "签收时间", ("接收时间", "受领时间"), 18, "datetime"),
    Field(
        "responded",
        "是否响应",
        ("响应", "响应情况", "是否签收", "是否及时响应", "响应结果", "及时响应"),
        8,
        "bool",
    ),
    Field(
        "outcome",
        "办理结果",
        # 解决 / 是否解决 are a hotline's own judgement; 解决类型 is another bureau's word for it
        # (已解决, 未解决, 非权属, 剔除, 挂账 …): the value map turns each word into ours.
        ("解决", "是否解决", "解决结果", "解决程度", "办结结果", "解决状态", "解决类型"),
        10,
        "choice",
    ),
    Field(
        "answered_at",
        "答复时间",
        ("办结时间", "回复时间", "办理完成时间", "完成时间", "反馈时间"),
        18,
        "datetime",
    ),
    Field("tier", "解决层级", ("解决方式", "办理方式", "解决途径"), 12, "choice"),
    Field("status", "状态", ("办理状态", "当前状态", "工单状态"), 10, "choice"),
    Field("confirmed_at", "回访时间", ("评价时间", "回访日期"), 18, "datetime"),
    Field("closed_at", "销号时间", ("闭环时间", "销号日期", "归档时间"), 18, "datetime"),
    Field("urge_level", "督办级别", ("督办", "督办情况", "催办"), 8, "choice"),
    Field("redo_count", "重办次数", ("重办",), 8, "int"),
    Field("reopen_count", "重新打开次数", ("重启次数",), 8, "int"),
    Field("is_legacy", "遗留问题", ("是否遗留问题", "历史遗留"), 8, "bool"),
    Field("merged_into", "合并至", ("重复件合并至", "合并到"), 18),
    Field("source_ref", "来源编号", ("原编号", "原工单号", "热线工单号", "外部编号"), 18),
    # The product's own number of an item whose 编号 column holds the number it came with: read
    # back only to recognise the park's own export, never imported as a field.
    Field("system_number", "系统编号", ("亲商编号",), 18),
)

BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}

# Fields a user may map a column to, and the keyword for "keep it in 其他字段" / "drop it".
EXTRA = "extra"
IGNORE = "ignore"
MAP_TARGETS: dict[str, str] = {
    **{f.key: f.header for f in FIELDS if f.key != "seq"},
    EXTRA: "保留为其他字段",
    IGNORE: "忽略此列",
}

# Header text as compared (no spaces, line breaks, stars or colons; ASCII brackets): the same
# rule as the entity and staff imports.
normalise = normalise_header


_LOOKUP: dict[str, str] = {}
for _f in FIELDS:
    for _name in _f.names:
        _LOOKUP.setdefault(normalise(_name), _f.key)


def recognise(header: object) -> str | None:
    """The field a header names, or None. 一级/二级 variants with a bracketed unit also match:
    "办结时限(工作日)" is still 办结时限."""
    norm = normalise(header)
    if not norm:
        return None
    if norm in _LOOKUP:
        return _LOOKUP[norm]
    bare = re.sub(r"\(.*?\)", "", norm)
    return _LOOKUP.get(bare)
