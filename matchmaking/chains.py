"""Industry chains as data (data/chains.toml): links with their GB/T 4754 divisions and upstream
links. Matching asks `relation(supplier_link, need_link)`; forms and the API list `link_choices`."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "chains.toml"


@dataclass(frozen=True)
class Link:
    code: str
    name: str
    chain: str
    chain_name: str
    industries: tuple[str, ...]
    upstream: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.chain_name}产业链 · {self.name}"


@dataclass(frozen=True)
class Chain:
    code: str
    name: str
    links: tuple[Link, ...]


@cache
def chains() -> tuple[Chain, ...]:
    with DATA.open("rb") as f:
        raw = tomllib.load(f)
    out = []
    for c in raw["chain"]:
        links = tuple(
            Link(
                code=lk["code"],
                name=lk["name"],
                chain=c["code"],
                chain_name=c["name"],
                industries=tuple(lk.get("industries", ())),
                upstream=tuple(lk.get("upstream", ())),
            )
            for lk in c["link"]
        )
        out.append(Chain(code=c["code"], name=c["name"], links=links))
    return tuple(out)


@cache
def links() -> dict[str, Link]:
    return {lk.code: lk for c in chains() for lk in c.links}


def chain_choices() -> list[tuple[str, str]]:
    return [(c.code, f"{c.name}产业链") for c in chains()]


def link_choices() -> list[tuple[str, str]]:
    return [(lk.code, lk.label) for lk in links().values()]


def chain_name(code: str) -> str:
    return next((f"{c.name}产业链" for c in chains() if c.code == code), "")


def link_label(code: str) -> str:
    lk = links().get(code)
    return lk.label if lk else ""


def chain_of(link_code: str) -> str:
    lk = links().get(link_code)
    return lk.chain if lk else ""


def guess_link(industry: str, chain: str = "") -> str:
    """The first link (of `chain` if given) whose divisions include `industry`; "" if none."""
    for lk in links().values():
        if (not chain or lk.chain == chain) and industry in lk.industries:
            return lk.code
    return ""


# Relation strengths: a direct upstream supplier counts most; the same link (配套, 协作) less; the
# same chain a little.
UPSTREAM, SAME_LINK, SAME_CHAIN = 1.0, 0.6, 0.3


def relation(supplier_link: str, need_link: str) -> tuple[float, str]:
    """How a supplier's place in a chain relates to a need's: (strength 0..1, reason or "")."""
    s, n = links().get(supplier_link), links().get(need_link)
    if s is None or n is None:
        return 0.0, ""
    if s.code in n.upstream:
        return UPSTREAM, f"产业链上游：{s.name} → {n.name}（{n.chain_name}产业链）"
    if s.code == n.code:
        return SAME_LINK, f"同一环节配套：{n.label}"
    if s.chain == n.chain:
        return SAME_CHAIN, f"同属{n.chain_name}产业链"
    return 0.0, ""
