"""Industry from the business scope: a GB/T 4754-2017 门类 and 大类 from a name and 经营范围 text.

Knowledge, not training data, carries the classifier: `data/gbt4754_2017_notes.tsv` lists what
each 大类 includes in the standard's own words (中类/小类 names and its 说明). A registration's
经营范围 is a list of items ("汽车零部件及配件制造；机械设备销售；货物进出口"), and the verb of an item
says as much as its object: "电子产品制造" is 39, "电子产品销售" is 51 and "电子产品维修" is 81.
So each item is matched, by character n-gram TF-IDF, against the phrases of the classes its verb
allows (making → 农林牧渔, 采矿, 制造, 电热气水; selling → 批发 / 零售; anything else → every class
but trade), earlier items weigh more (registries list the main business first), boilerplate items
(货物进出口, 技术服务、技术开发…) weigh little, and the name is one more item. A park's own
classified entities add their votes by nearest neighbours, so a park's corrections teach it.

The result carries the phrases that decided and a confidence (the winning 门类's share of the
evidence). Pure Python + scikit-learn: nothing is downloaded, nothing touches the database here
(`entities.services.suggest_industry` supplies the park's examples).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from qinshang import industries

NOTES_FILE = Path(__file__).with_name("data") / "gbt4754_2017_notes.tsv"

# Registries append these to every scope; they name no business.
_BOILERPLATE = re.compile(
    r"依法须经批准的项目.*?(?:经营活动|为准)|除依法须经批准的项目外.*?经营活动|"
    r"具体经营项目.*?为准|凭营业执照依法自主开展经营活动|以审批结果为准|"
    r"一般项目[:：]|许可项目[:：]|经营范围[:：]|主营业务[:：]|[（(][^）)]*[）)]"
)
_SPLIT = re.compile(r"[；;。\n,，]+")
_MAKE = re.compile(
    r"制造|生产|加工|冶炼|压延|铸造|锻造|酿造|制品|装配|组装|印刷|发电|供应|采选|开采|种植|养殖|饲养"
)
_SELL = re.compile(r"销售|批发|零售|经销|经营|进出口|贸易|代销|分销|购销")
_RETAIL = re.compile(
    r"零售|超市|超级市场|便利店|药店|药房|门店|加油站|新车销售|互联网销售|网上销售|网络销售|百货"
)
# Items nearly every enterprise registers: they say little about its industry.
_GENERIC = re.compile(
    r"^(?:货物进出口|技术进出口|进出口代理|技术服务|技术开发|技术咨询|技术交流|技术转让|技术推广|"
    r"[、和及与]|信息咨询服务|企业管理咨询|会议及展览服务|日用百货销售|办公用品销售|"
    r"以自有资金从事投资活动|国内贸易代理|广告发布|广告设计|广告制作|非居住房地产租赁|住房租赁|"
    r"普通机械设备安装服务|劳务服务|软件开发|信息技术咨询服务|五金产品批发|五金产品零售)+$"
)
_NAME_TAIL = re.compile(
    r"(?:股份有限公司|有限责任公司|有限公司|分公司|集团|公司|专业合作社|合作社|经营部|服务部|"
    r"门市部|营业部|工作室|中心|厂|店)$"
)
_NAME_GENERIC = re.compile(r"科技|实业|发展|控股|湖南|湘潭|韶山|长沙|株洲|市|省|县|区|高新")
_DIVISIONS_OF = {
    s.code: {c for c, _ in industries.divisions_of(s.code)} for s in industries.SECTIONS
}
_MAKE_SECTIONS = {"A", "B", "C", "D"}
_TRADE = {"51", "52"}


@dataclass(frozen=True)
class Evidence:
    text: str  # the part of the scope or name
    phrase: str  # the standard's phrase it matched
    division: str
    weight: float


@dataclass(frozen=True)
class Suggestion:
    section: str
    division: str
    confidence: float  # 0..1: the winning 门类's share of all evidence
    evidence: tuple[Evidence, ...] = ()
    alternatives: tuple[tuple[str, float], ...] = ()  # other 大类 with their shares

    @property
    def words(self) -> list[str]:
        seen: list[str] = []
        for e in self.evidence:
            if e.text not in seen:
                seen.append(e.text)
        return seen

    @property
    def label(self) -> str:
        return industries.label(self.division) if self.division else ""


@dataclass(frozen=True)
class Example:
    """A classified entity of the park: its text and its 大类."""

    text: str
    division: str


@dataclass
class _Phrases:
    texts: list[str] = field(default_factory=list)
    divisions: list[str] = field(default_factory=list)


def read_notes(path: Path = NOTES_FILE) -> dict[str, list[str]]:
    """大类 code → phrases: the class name first, then what the standard says it includes."""
    notes: dict[str, list[str]] = {code: [name] for code, name in industries.DIVISIONS}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, _, text = line.partition("\t")
        code = code.strip()
        if code not in notes:
            raise ValueError(f"{path.name}: 未知的大类代码 {code!r}")
        notes[code].extend(p.strip() for p in text.split("、") if p.strip())
    return notes


def clean(text: str) -> str:
    return _BOILERPLATE.sub("；", text or "")


def items_of(scope: str) -> list[str]:
    return [i.strip(" 、:：") for i in _SPLIT.split(clean(scope)) if len(i.strip(" 、:：")) >= 2]


def name_core(name: str) -> str:
    core = (name or "").strip()
    for _ in range(3):
        core = _NAME_TAIL.sub("", core)
    return _NAME_GENERIC.sub("", core)


class Classifier:
    """Built once per process from the notes; `examples` (a park's entities) may vary per call."""

    def __init__(self, notes: dict[str, list[str]] | None = None) -> None:
        notes = notes or read_notes()
        self._phrases = _Phrases()
        for code, phrases in notes.items():
            for p in phrases:
                self._phrases.texts.append(p)
                self._phrases.divisions.append(code)
        self._vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        self._matrix = self._vec.fit_transform(self._phrases.texts)
        self._codes = sorted(notes)
        self._index = {c: i for i, c in enumerate(self._codes)}
        self._phrase_div = np.array([self._index[d] for d in self._phrases.divisions])
        section_of = {c: industries.section_of(c) for c in self._codes}
        self._sections = sorted(set(section_of.values()))
        self._section_index = np.array([self._sections.index(section_of[c]) for c in self._codes])
        make = [section_of[c] in _MAKE_SECTIONS for c in self._codes]
        trade = [c in _TRADE for c in self._codes]
        self._mask_make = np.array(make)
        self._mask_sell = np.array(trade)
        self._mask_other = ~np.array(trade)

    # -- matching ----------------------------------------------------------------------------

    def _item_scores(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Per item: best cosine per 大类 (items × divisions) and the index of that phrase."""
        sims = (self._vec.transform(texts) @ self._matrix.T).toarray()
        n_div = len(self._codes)
        best = np.zeros((len(texts), n_div))
        which = np.full((len(texts), n_div), -1)
        for d in range(n_div):
            cols = np.flatnonzero(self._phrase_div == d)
            sub = sims[:, cols]
            arg = sub.argmax(axis=1)
            best[:, d] = sub[np.arange(len(texts)), arg]
            which[:, d] = cols[arg]
        return best, which

    def _mask(self, item: str) -> np.ndarray:
        if _SELL.search(item) and not _MAKE.search(item.replace("经营", "")):
            return self._mask_sell
        if _MAKE.search(item):
            return self._mask_make
        return self._mask_other

    def suggest(
        self, name: str, scope: str, neighbours: Neighbours | None = None, exclude: str = ""
    ) -> Suggestion | None:
        items = items_of(scope)
        weights = []
        for i, item in enumerate(items):
            w = 1.0 / (1.0 + 0.25 * i)
            if _GENERIC.match(item):
                w *= 0.15
            weights.append(w)
        core = name_core(name)
        texts = list(items)
        masks = [self._mask(t) for t in items]
        if len(core) >= 2:
            texts.append(core)
            weights.append(0.6 if items else 1.0)
            masks.append(
                self._mask(core) if _SELL.search(core) else np.ones(len(self._codes), bool)
            )
        if not texts:
            return None
        best, which = self._item_scores(texts)
        best = np.where(np.array(masks), best, 0.0)
        # An item speaks for the class it matches best, a little for the runners-up.
        contrib = np.zeros(len(self._codes))
        section_contrib = np.zeros(len(self._sections))
        for row, w in zip(best, weights, strict=True):
            top = row.max()
            if top <= 0.05:
                continue
            kept = np.where(row >= 0.8 * top, row, 0.0)
            contrib += w * kept**2
            for s in range(len(self._sections)):
                sec_max = kept[self._section_index == s].max(initial=0.0)
                section_contrib[s] += w * sec_max**2
        near = neighbours.near(core + " " + " ".join(items), exclude) if neighbours else []
        for ex_div, sim in near:
            if ex_div in self._index:
                d = self._index[ex_div]
                contrib[d] += 0.5 * sim**2
                section_contrib[self._section_index[d]] += 0.5 * sim**2
        total = section_contrib.sum()
        if total <= 0:
            return None
        s = int(section_contrib.argmax())
        in_section = np.where(self._section_index == s, contrib, 0.0)
        d = int(in_section.argmax())
        # Trade items win 批发 by default; 零售 when the scope says so.
        code = self._codes[d]
        if code in _TRADE:
            retail = sum(1 for t in items if _RETAIL.search(t))
            code = "52" if retail * 2 >= max(1, sum(1 for t in items if _SELL.search(t))) else "51"
            d = self._index[code]
        evidence = []
        for i, (row, w) in enumerate(zip(best, weights, strict=True)):
            if row[d] > 0.3 and row[d] >= 0.8 * row.max():
                phrase = self._phrases.texts[which[i, d]]
                evidence.append(Evidence(texts[i], phrase, code, round(float(w * row[d]), 3)))
        evidence.sort(key=lambda e: -e.weight)
        shares = contrib / contrib.sum() if contrib.sum() > 0 else contrib
        alts = tuple(
            (self._codes[j], round(float(shares[j]), 3))
            for j in np.argsort(-shares)[:4]
            if j != d and shares[j] > 0.02
        )
        return Suggestion(
            section=industries.section_of(code),
            division=code,
            confidence=round(float(section_contrib[s] / total), 3),
            evidence=tuple(evidence[:5]),
            alternatives=alts,
        )


class Neighbours:
    """A park's classified entities, indexed once; `near` gives the k most similar."""

    def __init__(self, examples: Iterable[Example]) -> None:
        self.rows = [e for e in examples if e.text.strip() and e.division]
        self._vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True)
        self._m = self._vec.fit_transform([e.text for e in self.rows]) if self.rows else None

    def near(self, text: str, exclude: str = "", k: int = 5) -> list[tuple[str, float]]:
        if self._m is None:
            return []
        sims = (self._vec.transform([text]) @ self._m.T).toarray()[0]
        out: list[tuple[str, float]] = []
        for i in np.argsort(-sims):
            if len(out) >= k or sims[i] <= 0.2:
                break
            if exclude and self.rows[i].text == exclude:
                continue
            out.append((self.rows[i].division, float(sims[i])))
        return out


@lru_cache(maxsize=1)
def classifier() -> Classifier:
    return Classifier()


def suggest(
    name: str, scope: str, neighbours: Neighbours | None = None, exclude: str = ""
) -> Suggestion | None:
    return classifier().suggest(name, scope, neighbours, exclude)


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    labels = sorted(set(gold))
    tp: dict[str, int] = defaultdict(int)
    fp: dict[str, int] = defaultdict(int)
    fn: dict[str, int] = defaultdict(int)
    for g, p in zip(gold, pred, strict=True):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
    f1s = []
    for label in labels:
        denom = 2 * tp[label] + fp[label] + fn[label]
        f1s.append(2 * tp[label] / denom if denom else 0.0)
    return sum(f1s) / len(f1s) if f1s else 0.0
