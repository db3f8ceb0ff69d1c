"""Shared helpers: the reference data location (never copied into the repo) and a small
synthetic corpus for tests that must not depend on it."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

# ../shared/data relative to the repository root.
DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data"
GOV_CSV = DATA_DIR / "gov_messages.csv"


def gov_messages() -> tuple[list[str], list[str], list[str]]:
    if not GOV_CSV.exists():
        pytest.skip(f"reference data not present at {GOV_CSV}")
    from routing.evaluation import read_labelled_csv

    return read_labelled_csv(GOV_CSV)


TOPICS = {
    "tax": ["发票", "纳税申报", "退税", "税务局", "增值税", "税率", "个税", "税费减免"],
    "labour": ["招聘", "社保", "工资", "员工", "劳动合同", "用工", "加班", "技工"],
    "land": ["土地", "厂房", "规划", "用地指标", "红线", "容积率", "不动产证", "拆迁"],
    "finance": ["贷款", "银行", "融资", "担保", "授信", "贴息", "还款", "利率"],
}
FILLER = [
    "我司位于园区",
    "近期遇到困难",
    "希望尽快协调",
    "请相关部门帮助",
    "企业反映",
    "情况比较紧急",
    "已经多次沟通",
    "盼复",
]


def synthetic(n_per_class: int = 30, seed: int = 0) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, labels = [], []
    for label, vocab in TOPICS.items():
        for _ in range(n_per_class):
            parts = rng.sample(vocab, 3) + rng.sample(FILLER, 3)
            rng.shuffle(parts)
            texts.append("，".join(parts) + "。")
            labels.append(label)
    return texts, labels
