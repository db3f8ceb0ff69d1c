"""Reading the cells of other organisations' ledgers: dates written as text, numbers stored as
text, empty strings, 是/否 in a dozen spellings, and the labels each sheet gives statuses."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from openpyxl.utils.datetime import from_excel

from demands.models import Channel, Outcome, RequesterKind, Satisfaction, Status, Tier
from demands.workflow import URGE_LEVELS
from qinshang import sheets


class CellError(ValueError):
    """A cell that cannot be read as what its column holds; the message is shown to the user."""


# The cell reading every import shares: blank cells, codes Excel turned into floats, dates.
blank = sheets.is_blank
text = sheets.cell_text

UNREADABLE = "无法读取文件：请上传 .xlsx 格式的台账（Excel 2007 及以上）"


_DATE_PATTERNS = [
    re.compile(
        r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
        r"(?:[ T日]*(\d{1,2})[:时点](\d{1,2})(?:[:分](\d{1,2})秒?)?分?)?$"
    ),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def when(value: Any) -> dt.datetime | None:
    """A cell as an aware datetime in local time, or None for an empty cell."""
    if blank(value):
        return None
    if isinstance(value, dt.datetime):
        naive = value
    elif isinstance(value, dt.date):
        naive = dt.datetime.combine(value, dt.time.min)
    elif isinstance(value, int | float) and 20000 <= value <= 80000:
        naive = from_excel(value)  # an Excel serial date stored as a number
    else:
        raw = str(value).strip().replace("：", ":").replace("　", " ")
        if re.fullmatch(r"\d{5}(\.\d+)?", raw) and 20000 <= float(raw) <= 80000:
            naive = from_excel(float(raw))
        else:
            naive = None
            for pat in _DATE_PATTERNS:
                m = pat.match(raw)
                if m:
                    parts = [int(p) if p else 0 for p in m.groups()]
                    parts += [0] * (6 - len(parts))
                    year, month, mday, hour, minute, second = parts[:6]
                    try:
                        naive = dt.datetime(year, month, mday, hour, minute, second)
                    except ValueError:
                        naive = None
                    break
            if naive is None:
                raise CellError(f"无法识别的日期“{raw}”")
    if naive is None:  # from_excel gives None for no date
        raise CellError(f"无法识别的日期“{value}”")
    naive = naive.replace(microsecond=0)
    if naive.tzinfo is not None:
        return naive
    return timezone.make_aware(naive)


def day(value: Any) -> dt.date | None:
    w = when(value)
    return None if w is None else timezone.localtime(w).date()


def integer(value: Any) -> int | None:
    if blank(value):
        return None
    try:
        return int(float(str(value).strip()))
    except ValueError:
        raise CellError(f"“{value}”不是整数")


_YES = {
    "是",
    "y",
    "yes",
    "true",
    "1",
    "√",
    "✓",
    "已办结",
    "办结",
    "已完成",
    "完成",
    "已销号",
    "销号",
    "已闭环",
    "闭环",
    "已签收",
    "签收",
    "已响应",
    "响应",
    "及时",
    "按时",
    "已处理",
    "及时响应",
}
_NO = {
    "否",
    "n",
    "no",
    "false",
    "0",
    "×",
    "✗",
    "未办结",
    "未完成",
    "未销号",
    "未闭环",
    "办理中",
    "未签收",
    "未响应",
    "不及时",
    "超时",
    "超时响应",
    "未及时响应",
}


def yes_no(value: Any, overrides: dict[str, str] | None = None) -> bool | None:
    if blank(value):
        return None
    raw = text(value)
    if overrides and raw in overrides:
        return {"yes": True, "no": False}.get(overrides[raw])
    v = raw.lower()
    if v in _YES:
        return True
    if v in _NO:
        return False
    raise CellError(f"“{value}”应为“是”或“否”")


def _choices(choices: Any, extra: dict[str, str]) -> dict[str, str]:
    out = {c.value: c.value for c in choices}
    out.update({c.label: c.value for c in choices})
    out.update(extra)
    return out


CHOICES: dict[str, dict[str, str]] = {
    "channel": _choices(
        Channel,
        {
            "12345": Channel.HOTLINE,
            "12345热线": Channel.HOTLINE,
            "政务热线": Channel.HOTLINE,
            "电话": Channel.HOTLINE,
            "来电": Channel.HOTLINE,
            "上门走访": Channel.VISIT,
            "走访收集": Channel.VISIT,
            "大走访": Channel.VISIT,
            "电子问卷": Channel.QUESTIONNAIRE,
            "问卷调查": Channel.QUESTIONNAIRE,
            "网上": Channel.PORTAL,
            "小程序": Channel.PORTAL,
            "网站": Channel.PORTAL,
            "企业接待日": Channel.RECEPTION,
            "圆桌会议": Channel.RECEPTION,
            "服务员": Channel.LIAISON,
            "专属服务员": Channel.LIAISON,
            "导入": Channel.IMPORT,
            "12345政务服务便民热线": Channel.HOTLINE,
            "12345热线电话": Channel.HOTLINE,
            "市长热线": Channel.HOTLINE,
            "市民热线": Channel.HOTLINE,
            "热线电话": Channel.HOTLINE,
            "网站留言": Channel.PORTAL,
            "网络": Channel.PORTAL,
            "微信": Channel.PORTAL,
            "APP": Channel.PORTAL,
            "走访": Channel.VISIT,
        },
    ),
    "requester_kind": _choices(
        RequesterKind,
        {
            "市场主体": RequesterKind.ENTERPRISE,
            "个人": RequesterKind.RESIDENT,
            "村社区": RequesterKind.COMMUNITY,
            "村": RequesterKind.COMMUNITY,
            "社区": RequesterKind.COMMUNITY,
            "村（社区）": RequesterKind.COMMUNITY,
            "法人": RequesterKind.ENTERPRISE,
            "单位": RequesterKind.ENTERPRISE,
            "市民": RequesterKind.RESIDENT,
            "居民": RequesterKind.RESIDENT,
            "自然人": RequesterKind.RESIDENT,
        },
    ),
    "satisfaction": _choices(
        Satisfaction,
        {
            "非常满意": Satisfaction.SATISFIED,
            "很满意": Satisfaction.SATISFIED,
            "比较满意": Satisfaction.BASIC,
            "一般": Satisfaction.BASIC,
            "很不满意": Satisfaction.DISSATISFIED,
            "非常不满意": Satisfaction.DISSATISFIED,
            "是": Satisfaction.SATISFIED,
            "否": Satisfaction.DISSATISFIED,
            "不满": Satisfaction.DISSATISFIED,
            "满意度一般": Satisfaction.BASIC,
        },
    ),
    "outcome": _choices(
        Outcome,
        {
            "解决": Outcome.SOLVED,
            "是": Outcome.SOLVED,
            "已办结": Outcome.SOLVED,
            "基本解决": Outcome.PARTLY,
            "部分": Outcome.PARTLY,
            "正在解决": Outcome.PARTLY,
            "政策解释": Outcome.EXPLAINED,
            "解释说明": Outcome.EXPLAINED,
            "已解释": Outcome.EXPLAINED,
            "未解决": Outcome.NOT_FEASIBLE,
            "否": Outcome.NOT_FEASIBLE,
            "无法解决": Outcome.NOT_FEASIBLE,
            "不具备条件": Outcome.NOT_FEASIBLE,
            "不予解决": Outcome.NOT_FEASIBLE,
            "实际解决": Outcome.SOLVED,
            "已解决（实际解决）": Outcome.SOLVED,
            # Other ledgers' classes of a finished item: a matter outside the bureau's remit was
            # explained; one put on account (挂账) waits for conditions; one struck from the
            # assessment (剔除) counts in no rate. Shown in the value map and editable there.
            "非权属": Outcome.EXPLAINED,
            "非本单位职责": Outcome.EXPLAINED,
            "解释说明到位": Outcome.EXPLAINED,
            "挂账": Outcome.NOT_FEASIBLE,
            "挂账督办": Outcome.NOT_FEASIBLE,
            "暂缓解决": Outcome.NOT_FEASIBLE,
            "剔除": "",
            "不纳入考核": "",
        },
    ),
    "tier": _choices(
        Tier,
        {
            "当场解决": Tier.ON_SPOT,
            "现场解决": Tier.ON_SPOT,
            "当即": Tier.ON_SPOT,
            "即时解决": Tier.ON_SPOT,
            "交办": Tier.DEPARTMENT,
            "部门办理": Tier.DEPARTMENT,
            "交办解决": Tier.DEPARTMENT,
            "接待日": Tier.RECEPTION_DAY,
            "圆桌会议": Tier.RECEPTION_DAY,
            "亲商优商企业接待日": Tier.RECEPTION_DAY,
            "调度会": Tier.PROJECT_MEETING,
            "项目调度会": Tier.PROJECT_MEETING,
            "专家": Tier.EXPERT,
            "专家会商": Tier.EXPERT,
            "专家专项协商": Tier.EXPERT,
        },
    ),
    "status": _choices(
        Status,
        {
            "已办结": Status.CLOSED,
            "办结": Status.CLOSED,
            "已完成": Status.CLOSED,
            "已闭环": Status.CLOSED,
            "闭环": Status.CLOSED,
            "已归档": Status.CLOSED,
            "办理中": Status.IN_PROGRESS,
            "处理中": Status.IN_PROGRESS,
            "正在办理": Status.IN_PROGRESS,
            "已签收": Status.IN_PROGRESS,
            "未交办": Status.RECEIVED,
            "新建": Status.RECEIVED,
            "待派发": Status.RECEIVED,
            "已交办": Status.DISPATCHED,
            "已派发": Status.DISPATCHED,
            "已答复": Status.ANSWERED,
            "已回复": Status.ANSWERED,
            "已回访": Status.CONFIRMED,
            "已退回": Status.RETURNED,
            "退回": Status.RETURNED,
            "重复件": Status.MERGED,
        },
    ),
    "urge_level": {"": "0", "无": "0", **{v: str(k) for k, v in URGE_LEVELS.items()}},
}


def choice(key: str, value: Any, overrides: dict[str, str] | None = None) -> str:
    """The product's value for a cell of a choice column. `overrides` is the import's value map
    for this column (the sheet's word → ours, "" for "counts as empty"), consulted first."""
    if blank(value):
        return ""
    v = text(value)
    if overrides and v in overrides:
        return overrides[v]
    table = CHOICES[key]
    if v in table:
        return table[v]
    compact = re.sub(r"\s+", "", v)
    if compact in table:
        return table[compact]
    if key == "urge_level" and compact.isdigit():
        return compact
    options = "、".join(k for k in table if k and not k.isascii())[:120]
    raise CellError(f"“{v}”无法识别，可填：{options}")


_SPLIT = re.compile(r"[、，,;；/\n]+")


def names(value: Any) -> list[str]:
    """协办单位 lists: “经发局、规划分局” → two names."""
    return [n.strip() for n in _SPLIT.split(text(value)) if n.strip()]
