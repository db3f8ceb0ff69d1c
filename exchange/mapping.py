"""How an import proposes what each column of a sheet means: by its header *and* by what it holds.

Header names alone mislead: a hotline's 办理结果 is a free-text handling log, not the outcome; its
来源 holds 市级/本级 (which level registered it), not the channel. So every (column, field) pair is
scored by how well the header names the field times how well the cells fit it (dates for a time,
是/否 for a judgement, known words for a choice, short values for anything but text), and fields
are handed out best score first, each to one column. A free-text column under an outcome-like
header becomes the handling log (办理情况). Every proposal carries its reason and a sample of the
column's values; the words of choice columns get a value map (the sheet's word → ours) that the
user sees and may change; and the columns whose being filled means "finished" are proposed for
the park to confirm.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from demands.columns import BY_KEY, EXTRA, FIELDS, IGNORE, MAP_TARGETS, normalise
from demands.models import Channel, Outcome, RequesterKind, Satisfaction, Status, Tier
from exchange import parse
from qinshang.errors import InvalidInput

SAMPLES = 3
MAX_VALUES = 60  # distinct words shown in a column's value map
FREE_TEXT_CHARS = 20
# A free-text column whose header names one of these is the handling log, not a judgement.
LOG_HEADERS = ("outcome", "tier", "status", "satisfaction", "closed_flag")
# Columns whose being filled, when the park confirms it, means the item is finished.
FINISH_KEYS = ("closed_flag", "answered_at", "closed_at")
FINISH_HEADERS = ("解决类型", "办结情况", "办结状态", "办结")

YES, NO, EMPTY, KEEP = "yes", "no", "", "?"
VALUE_TARGETS: dict[str, list[tuple[str, str]]] = {
    "outcome": [*Outcome.choices, (EMPTY, "不计入解决率")],
    "satisfaction": [*Satisfaction.choices, (EMPTY, "未评价")],
    "tier": [*Tier.choices, (EMPTY, "空")],
    "status": [*Status.choices],
    "channel": [*Channel.choices],
    "requester_kind": [*RequesterKind.choices],
    "responded": [(YES, "已响应"), (NO, "未响应"), (EMPTY, "空（不计入响应率）")],
    "closed_flag": [(YES, "已办结"), (NO, "未办结"), (EMPTY, "空")],
    "is_legacy": [(YES, "是"), (NO, "否"), (EMPTY, "空")],
}
KEEP_LABEL = "无法识别：原样保留在其他字段"


@dataclass
class Column:
    i: int
    header: str
    key: str = EXTRA
    reason: str = ""
    samples: list[str] = field(default_factory=list)
    filled: int = 0  # non-empty cells
    values: list[dict[str, Any]] = field(default_factory=list)  # value map rows of a choice


# A column's words are counted up to this many distinct ones; the rest of a high-cardinality
# column (descriptions, numbers, times) is judged on the rows whose words were counted, so a
# 200,000-row sheet is profiled in bounded memory.
DISTINCT_CAP = 2000


@dataclass
class Profile:
    """What a column holds, accumulated row by row (`add`)."""

    n: int = 0  # non-empty cells
    chars: int = 0
    longest: int = 0
    distinct: Counter[str] = field(default_factory=Counter)
    counted: int = 0  # cells whose word is in `distinct`

    def add(self, text: str) -> None:
        self.n += 1
        self.chars += len(text)
        self.longest = max(self.longest, len(text))
        if text in self.distinct or len(self.distinct) < DISTINCT_CAP:
            self.distinct[text] += 1
            self.counted += 1

    @property
    def free_text(self) -> bool:
        if not self.n:
            return False
        return self.chars / self.n > FREE_TEXT_CHARS or self.longest > 3 * FREE_TEXT_CHARS

    def share(self, ok: Any) -> float:
        if not self.counted:
            return 0.0
        good = sum(n for v, n in self.distinct.items() if ok(v))
        return good / self.counted


class Profiler:
    """The profiles of a sheet's columns, fed one data row at a time."""

    def __init__(self, width: int) -> None:
        self.profiles = [Profile() for _ in range(width)]

    def add(self, cells: list[Any]) -> None:
        if len(cells) > len(self.profiles):
            self.profiles += [Profile() for _ in range(len(cells) - len(self.profiles))]
        for i, value in enumerate(cells):
            if not parse.blank(value):
                self.profiles[i].add(parse.text(value))


def profiles_of(rows: list[tuple[int, list[Any]]], width: int) -> list[Profile]:
    p = Profiler(width)
    for _, r in rows:
        p.add(r)
    return p.profiles


def _parses(fn: Any) -> Any:
    def ok(v: str) -> bool:
        try:
            return fn(v) is not None
        except parse.CellError:
            return False

    return ok


def _known_choice(key: str) -> Any:
    table = parse.CHOICES[key]
    return lambda v: v in table or re.sub(r"\s+", "", v) in table


def header_score(header: str, key: str) -> float:
    """1 for the field's own header, a little less for each later synonym, 0 for none."""
    norm = normalise(header)
    bare = re.sub(r"\(.*?\)", "", norm)
    names = [normalise(n) for n in BY_KEY[key].names]
    for pos, name in enumerate(names):
        if norm == name:
            return 1.0 - 0.01 * pos
    for pos, name in enumerate(names):
        if bare == name:
            return 0.8 - 0.01 * pos
    return 0.0


def content_score(key: str, p: Profile) -> tuple[float, str]:
    """How well the cells fit the field (0–1), and why not when they do not."""
    if not p.n:
        return 0.5, ""  # an empty column: the header decides
    kind = BY_KEY[key].kind
    if kind in ("datetime", "date"):
        s = p.share(_parses(parse.when))
        return (s, "") if s >= 0.5 else (0.0, "内容不是日期")
    if kind == "int":
        s = p.share(_parses(parse.integer))
        return (s, "") if s >= 0.8 else (0.0, "内容不是整数")
    if kind in ("bool", "choice"):
        if p.free_text:
            return 0.0, "内容是较长的文字"
        if kind == "bool":
            s = p.share(_parses(parse.yes_no))
        else:
            s = p.share(_known_choice(key))
        if s >= 0.5:
            return s, ""
        words = "、".join(v for v, _ in p.distinct.most_common(3))
        return 0.0, f"取值（{words}）不是{BY_KEY[key].header}"
    # Text: a column of dates is not a name or a description.
    if key != "answer" and p.share(_parses(parse.when)) >= 0.9:
        return 0.2, "内容是日期"
    return 1.0, ""


def _candidates(header: str, p: Profile) -> tuple[list[tuple[float, str, str]], str]:
    out: list[tuple[float, str, str]] = []
    refusal = ""
    for f in FIELDS:
        hs = header_score(header, f.key)
        if not hs:
            continue
        cs, why = content_score(f.key, p)
        if cs:
            out.append((hs * cs, f.key, f"表头“{header}”即“{f.header}”"))
        else:
            refusal = f"表头像“{f.header}”，但{why}"
            if f.key in LOG_HEADERS and p.free_text:
                out.append((0.6 * hs, "answer", f"{refusal}：作为{BY_KEY['answer'].header}"))
    return out, refusal


def propose(
    headers: list[str],
    rows: list[tuple[int, list[Any]]] | None = None,
    overrides: dict[str, str] | None = None,
    profiles: list[Profile] | None = None,
) -> list[Column]:
    """One proposal per column: its field, why, a sample of its values and (for a choice) the
    value map. The user's `overrides` (header → field key) come first. The columns are read
    from `rows`, or from `profiles` accumulated while streaming the sheet."""
    overrides = dict(overrides or {})
    for h, target in overrides.items():
        if h not in headers:
            raise InvalidInput(f"表中没有名为“{h}”的列（有：{'、'.join(headers)}）", field="map")
        if target not in MAP_TARGETS:
            raise InvalidInput(
                f"列“{h}”的对应字段“{target}”无效，可选：{'、'.join(MAP_TARGETS)}", field="map"
            )
    if profiles is None:
        profiles = profiles_of(rows or [], len(headers))
    profiles = profiles + [Profile() for _ in range(len(headers) - len(profiles))]
    cols = [Column(i, h) for i, h in enumerate(headers)]
    used: set[str] = set()
    for c in cols:
        p = profiles[c.i]
        c.filled = p.n
        c.samples = [v[:30] for v, _ in p.distinct.most_common(SAMPLES)]
        target = overrides.get(c.header) or ""
        if target:
            if target not in (EXTRA, IGNORE):
                if target in used:
                    raise InvalidInput(
                        f"有两列都对应到“{MAP_TARGETS[target]}”，请只保留一列", field="map"
                    )
                used.add(target)
            c.key, c.reason = target, "按您的选择"
    pairs: list[tuple[float, int, str, str]] = []
    refusals: dict[int, str] = {}
    for c in cols:
        if c.header in overrides:
            continue
        found, refusal = _candidates(c.header, profiles[c.i])
        if refusal:
            refusals[c.i] = refusal
        pairs += [(score, c.i, key, why) for score, key, why in found if score >= 0.3]
    pairs.sort(key=lambda x: (-x[0], x[1]))
    taken: set[int] = {c.i for c in cols if c.header in overrides}
    for _score, i, key, why in pairs:
        if i in taken or key in used:
            continue
        cols[i].key, cols[i].reason = key, why
        taken.add(i)
        used.add(key)
    for c in cols:
        if c.i in taken:
            continue
        c.key = EXTRA
        if c.i in refusals:
            c.reason = f"{refusals[c.i]}：保留为其他字段"
        elif any(header_score(c.header, f.key) for f in FIELDS):
            c.reason = "另一列更像该字段：保留为其他字段"
        else:
            c.reason = "未识别的列：保留为其他字段"
    for c in cols:
        if c.key in VALUE_TARGETS:
            c.values = propose_values(c.key, profiles[c.i])
    return cols


def _default(key: str, word: str) -> str:
    if BY_KEY[key].kind == "bool":
        try:
            v = parse.yes_no(word)
        except parse.CellError:
            return KEEP
        return EMPTY if v is None else (YES if v else NO)
    try:
        return parse.choice(key, word)
    except parse.CellError:
        return KEEP


def propose_values(key: str, p: Profile) -> list[dict[str, Any]]:
    return [
        {"word": w, "rows": n, "target": _default(key, w)}
        for w, n in p.distinct.most_common(MAX_VALUES)
    ]


def value_maps(
    cols: list[Column], chosen: dict[str, dict[str, str]] | None = None
) -> dict[str, dict[str, str]]:
    """field key → {the sheet's word: our value}: the proposal, with the user's choices over it.
    Words left to KEEP are not in the map (the cell is kept as written, with a warning)."""
    chosen = chosen or {}
    out: dict[str, dict[str, str]] = {}
    for c in cols:
        if c.key not in VALUE_TARGETS:
            continue
        allowed = {v for v, _ in VALUE_TARGETS[c.key]}
        m: dict[str, str] = {}
        mine = chosen.get(c.header) or chosen.get(c.key) or {}
        for row in c.values:
            target = mine.get(row["word"], row["target"])
            if target not in allowed and target != KEEP:
                # A choice made for another field (the column was mapped anew): the proposal.
                target = row["target"]
            row["target"] = target
            if target != KEEP:
                m[row["word"]] = target
        out[c.key] = m
    return out


def propose_finish(cols: list[Column]) -> list[str]:
    """Headers whose being filled means the item is finished (办结), for the park to confirm."""
    out = []
    for c in cols:
        if c.key in FINISH_KEYS or normalise(c.header) in FINISH_HEADERS:
            out.append(c.header)
    return out


def finish_label(c: Column) -> str:
    if c.key == "closed_flag":
        return f"“{c.header}”为“是/已办结”"
    return f"“{c.header}”已填写"
