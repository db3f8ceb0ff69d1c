"""xlsx import of products (企业产品名录) with the row-by-row report of the other importers
(liaisons.sheets: header synonyms, a title row above the headers, row number + column + Chinese
message). Nothing is written while any row is wrong unless only the valid rows are asked for;
rows go through `services.publish_product`, so a sheet obeys the form's rules."""

from __future__ import annotations

from typing import IO

from django.db import transaction

from entities.models import MarketEntity
from liaisons.sheets import Column, ImportReport, _norm, parse_industry, read_rows
from matchmaking import access, chains, services
from matchmaking.models import OfferKind, Product
from orgs.models import Park, User
from qinshang import sheets
from qinshang.errors import Forbidden
from qinshang.sheets import RowError

COLUMNS: tuple[Column, ...] = (
    Column("enterprise", "企业名称", ("企业", "单位名称", "供应商", "统一社会信用代码"), True, 30),
    Column("name", "产品名称", ("产品", "产品/服务", "配套能力"), True, 24),
    Column("kind", "类型", ("产品类型",), False, 10),
    Column("spec", "规格型号", ("规格", "型号"), False, 18),
    Column("capacity", "产能", ("年产能", "供货能力"), False, 14),
    Column("industry", "所属行业", ("行业", "行业代码", "国民经济行业"), False, 22),
    Column("chain_link", "产业链环节", ("产业链", "链条环节"), False, 26),
    Column("description", "产品介绍", ("介绍", "说明", "备注"), False, 40),
)


def _get(cells: list[str], index: dict[str, int], key: str) -> str:
    j = index.get(key)
    return cells[j] if j is not None and j < len(cells) else ""


class ProductImportReport(ImportReport):
    def summary(self) -> str:
        return super().summary().replace("人员", "产品")


KIND_WORDS = {OfferKind.PRODUCT: ("产品", ""), OfferKind.CAPABILITY: ("配套能力", "能力", "服务")}


def _link_of(text: str) -> str | None:
    v = _norm(text)
    if not v:
        return ""
    for code, lk in chains.links().items():
        if v in (_norm(code), _norm(lk.label), _norm(lk.name)) or _norm(lk.name).startswith(v):
            return code
    return None


def import_products(
    actor: User,
    park: Park,
    data: bytes | IO[bytes],
    *,
    dry_run: bool = False,
    valid_only: bool = False,
) -> ProductImportReport:
    if not (access.can_manage(actor, park) or actor.role == "admin"):
        raise Forbidden("产品名录由派单中心或系统管理员导入")
    index, ignored, body = read_rows(data, COLUMNS)
    report = ProductImportReport(
        "products", total=len(body), ignored_headers=ignored, dry_run=dry_run, valid_only=valid_only
    )
    ents = MarketEntity.objects.filter(park=park)
    by_name = {_norm(n): pk for pk, n in ents.values_list("pk", "name")}
    by_code = {c: pk for pk, c in ents.exclude(credit_code="").values_list("pk", "credit_code")}
    existing = set(Product.objects.filter(park=park).values_list("enterprise_id", "name"))
    seen: dict[tuple[int, str], int] = {}
    good: list[services.ProductInput] = []
    for n, cells in body:
        errs: list[RowError] = []
        who = _get(cells, index, "enterprise")
        ent_id = by_name.get(_norm(who)) or by_code.get(who.strip().upper())
        if not who:
            errs.append(RowError(n, "企业名称", "不能为空"))
        elif ent_id is None:
            errs.append(RowError(n, "企业名称", f"“{who}”不是本园区登记的企业"))
        name = _get(cells, index, "name")
        if not name:
            errs.append(RowError(n, "产品名称", "不能为空"))
        elif len(name) > 100:
            errs.append(RowError(n, "产品名称", "不能超过 100 字"))
        elif ent_id is not None:
            key = (ent_id, name)
            if key in seen:
                errs.append(RowError(n, "产品名称", f"与第 {seen[key]} 行重复"))
            elif key in existing:
                errs.append(RowError(n, "产品名称", f"“{name}”已发布，不能重复导入"))
            seen[key] = n
        kind_text = _get(cells, index, "kind")
        kind = next((k for k, ws in KIND_WORDS.items() if _norm(kind_text) in ws), None)
        if kind is None:
            errs.append(RowError(n, "类型", f"“{kind_text}”无法识别，可填：产品、配套能力"))
        industry, ind_err = parse_industry(_get(cells, index, "industry"))
        if ind_err:
            errs.append(RowError(n, "所属行业", ind_err))
        link = _link_of(_get(cells, index, "chain_link"))
        if link is None:
            errs.append(
                RowError(
                    n, "产业链环节", f"“{_get(cells, index, 'chain_link')}”不是已定义的产业链环节"
                )
            )
        if not industry and ent_id is not None and not ind_err:
            industry = ents.get(pk=ent_id).industry
            if not industry:
                errs.append(RowError(n, "所属行业", "不能为空（企业也未登记行业）"))
        if errs:
            report.errors += errs
            continue
        report.valid += 1
        good.append(
            services.ProductInput(
                enterprise_id=ent_id or 0,
                name=name,
                industry=industry,
                kind=kind or OfferKind.PRODUCT,
                spec=_get(cells, index, "spec")[:200],
                capacity=_get(cells, index, "capacity")[:100],
                chain_link=link or "",
                description=_get(cells, index, "description")[:2000],
            )
        )
    if dry_run or (report.errors and not valid_only):
        return report
    with transaction.atomic():
        for item in good:
            services.publish_product(actor, park, item)
            report.created += 1
    report.committed = True
    return report


def template_workbook() -> bytes:
    wb, ws = sheets.new_workbook("产品名录")
    sheets.write_table(
        ws,
        [sheets.Header(c.header, c.width) for c in COLUMNS],
        [
            [
                "湘潭恒远精密机械有限公司",
                "精密轴承座",
                "产品",
                "HY-200",
                "年产 5 万件",
                "34",
                "",
                "铸铁轴承座",
            ]
        ],
    )
    return sheets.to_bytes(wb)
