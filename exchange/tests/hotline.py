"""Ledgers built to look like a city hotline's (12345) exports: every cell a string, explicit
empty strings, dates as text in several spellings, free-text handling logs, 市级/本级 in a 来源
column, re-registrations of one ticket under its number, and other bureaus' names and words for
the same judgements. `Ledger.shares` computes 三率 from the sheet's own columns, the way the
bureau does, so a test can hold the product's figures to them."""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass, field

from openpyxl import Workbook

HOTLINE = [
    "工单编号",
    "诉求来源",
    "来源",
    "登记时间",
    "派发时间",
    "时限要求",
    "回复时间",
    "诉求类型一级",
    "诉求类型二级",
    "诉求类型三级",
    "区级",
    "街/乡/镇",
    "诉求内容",
    "主办单位",
    "办理结果",
    "解决类型",
    "响应",
    "解决",
    "满意",
]
# Another bureau: other names for the same columns, and no 解决 column (解决类型 carries it).
BUREAU = {
    "工单编号": "受理编号",
    "登记时间": "受理时间",
    "派发时间": "交办时间",
    "回复时间": "办结时间",
    "响应": "是否响应",
    "满意": "评价结果",
}

# The words each sheet uses for a satisfied requester (满意 and 基本满意 both count).
SATISFIED = {"满意", "基本满意", "非常满意", "一般"}
DEPTS = ["经济发展局", "自然资源和规划分局", "人力资源和社会保障局", "城市管理局"]
TYPES = [("融资困难", "贷款需求"), ("用地需求", "用地审批"), ("城乡建设", "道路维修")]
LOGS = [
    "经核实，来电人反映情况属实，已协调施工单位于三日内完成修复，并电话告知来电人。",
    "已联系来电人说明相关政策规定，来电人表示理解，后续将持续跟进办理进度。",
    "承办单位已派员现场查看，问题涉及多个部门职责，已提请区级协调处理。",
]


def _spell(t: dt.datetime, style: int) -> str:
    """A time the way exports write it: four spellings, none an Excel date."""
    return [
        t.strftime("%Y-%m-%d %H:%M:%S"),
        f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}",
        f"{t.year}年{t.month}月{t.day}日",
        t.strftime("%Y%m%d"),
    ][style % 4]


@dataclass
class Ledger:
    head: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)

    def data(self) -> bytes:
        wb = Workbook()
        ws = wb.active
        ws.append(["某市12345政务服务便民热线工单明细"])
        ws.append([])
        ws.append(self.head)
        for r in self.rows:
            ws.append([r.get(h, "") for h in self.head])  # "" where blank: a string, not None
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    def col(self, name: str) -> str:
        return BUREAU.get(name, name) if name not in self.head else name

    def latest(self) -> list[dict[str, str]]:
        """The current registration of each ticket (the last one registered)."""
        by: dict[str, dict[str, str]] = {}
        for r in self.rows:
            by[r[self.col("工单编号")]] = r  # rows are written oldest first
        return list(by.values())

    def shares(self, credit: dict[str, float]) -> dict[str, float | None]:
        """三率 as the sheet itself gives them: 响应 and 满意 over every registration that has
        a value, 解决 over each ticket's current registration."""

        def share(values: list[float]) -> float | None:
            return 100 * sum(values) / len(values) if values else None

        resp = [r[self.col("响应")] for r in self.rows if r[self.col("响应")]]
        sat = [r[self.col("满意")] for r in self.rows if r[self.col("满意")]]
        solve_col = "解决" if "解决" in self.head else "解决类型"
        solved = [r[solve_col] for r in self.latest() if r[solve_col] in credit]
        return {
            "response": share([1.0 if v == "是" else 0.0 for v in resp]),
            "satisfaction": share([1.0 if v in SATISFIED else 0.0 for v in sat]),
            "solve": share([credit[v] for v in solved]),
        }


def build(
    n: int = 80,
    seed: int = 7,
    *,
    bureau: bool = False,
    finished: bool = False,
    reregister: int = 8,
) -> Ledger:
    """`n` tickets received in 2026; `reregister` of them registered again later under the same
    number (half of those to another 主办单位). `finished`: a closed year — every ticket carries
    a 回复时间 or a 解决类型. `bureau`: another bureau's headers and vocabulary."""
    rnd = random.Random(seed)
    head = [BUREAU.get(h, h) for h in HOTLINE] if bureau else list(HOTLINE)
    if bureau:
        head.remove("解决")
    led = Ledger(head)
    start = dt.datetime(2026, 1, 5, 9, 0)
    again = set(rnd.sample(range(n), reregister))
    for i in range(n):
        reg = start + dt.timedelta(days=rnd.randrange(300), minutes=rnd.randrange(600))
        versions = [reg] + ([reg + dt.timedelta(days=rnd.randrange(3, 20))] if i in again else [])
        dept = rnd.choice(DEPTS)
        for k, t in enumerate(versions):
            if k and i % 2:
                dept = rnd.choice([d for d in DEPTS if d != dept])
            row = _row(rnd, led, f"GD2026{i:05d}", t, dept, i, k, finished, bureau)
            led.rows.append(row)
    return led


def _row(
    rnd: random.Random,
    led: Ledger,
    number: str,
    reg: dt.datetime,
    dept: str,
    i: int,
    k: int,
    finished: bool,
    bureau: bool,
) -> dict[str, str]:
    c = led.col
    l1, l2 = rnd.choice(TYPES)
    dispatched = reg + dt.timedelta(hours=rnd.randrange(1, 30))
    due = dispatched + dt.timedelta(days=rnd.choice([5, 10, 15]))
    done = finished or rnd.random() < 0.75
    replied = dispatched + dt.timedelta(days=rnd.randrange(1, 20))
    row = {
        c("工单编号"): number,
        "诉求来源": rnd.choice(["12345热线", "网站留言", "微信", ""]),
        "来源": rnd.choice(["市级", "本级"]),
        c("登记时间"): _spell(reg, i + k),
        # A third of the rows carry no 派发时间, a quarter no 时限要求.
        c("派发时间"): "" if rnd.random() < 0.3 else _spell(dispatched, i + 1),
        "时限要求": "" if rnd.random() < 0.25 else _spell(due, i + 2),
        "诉求类型一级": l1,
        "诉求类型二级": l2,
        "诉求类型三级": rnd.choice(["破损", "咨询", ""]),
        "区级": "岳塘区",
        "街/乡/镇": rnd.choice(["荷塘街道", "书院路街道", "昭山镇"]),
        "诉求内容": f"来电反映第{i}号问题：{rnd.choice(LOGS)[:18]}，请尽快处理。",
        "主办单位": dept,
        "办理结果": rnd.choice(LOGS) if done else "",
        c("回复时间"): "",
        "解决类型": "",
        c("响应"): "",
        "解决": "",
        c("满意"): "",
    }
    row[c("响应")] = rnd.choice(["是", "是", "是", "否", ""])
    if done:
        # Some finished rows have no 回复时间: the sheet says it is done, not when.
        if finished and rnd.random() < 0.5:
            row["解决类型"] = rnd.choice(["实际解决", "非权属", "挂账", "剔除"])
        if not finished or not row["解决类型"] or rnd.random() < 0.5:
            row[c("回复时间")] = "" if finished and row["解决类型"] else _spell(replied, i)
        if bureau:
            row["解决类型"] = rnd.choice(
                ["已解决", "已解决", "部分解决", "未解决", "非权属", "剔除"]
            )
        else:
            row["解决"] = rnd.choice(["已解决", "已解决", "已解决", "部分解决", "未解决", ""])
        row[c("满意")] = rnd.choice(
            ["满意", "满意", "基本满意", "不满意", ""]
            if not bureau
            else ["非常满意", "满意", "一般", "不满意", ""]
        )
    return row
