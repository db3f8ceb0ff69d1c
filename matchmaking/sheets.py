"""xlsx import of products (企业产品名录) with the row-by-row report of the other importers
(header synonyms, a title row above the headers, row number + column + Chinese message), on the
one import loop `qinshang.sheets.import_rows`. Nothing is written while any row is wrong unless
only the valid rows are asked for; rows go through `services.publish_product`, so a sheet obeys
the form's rules."""

from __future__ import annotations

from typing import IO

from entities.models import MarketEntity
from liaisons.sheets import ImportReport, _norm, parse_industry, read_rows
from matchmaking import access, chains, services
from matchmaking.models import OfferKind, Product
from orgs.models import Park, User
from qinshang import sheets
from qinshang.errors import Forbidden
from qinshang.sheets import Column, Row, import_rows

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


# The service's InvalidInput.field (a key, or the label that qinshang.inputs uses) → our column.
FIELD_COLUMN = {
    "enterprise_id": "企业名称",
    "kind": "类型",
    "industry": "所属行业",
    "chain_link": "产业链环节",
    **{c.header: c.header for c in COLUMNS},
}


def import_products(
    actor: User,
    park: Park,
    data: bytes | IO[bytes],
    *,
    dry_run: bool = False,
    valid_only: bool = False,
) -> ProductImportReport:
    """Check every row, then publish the valid ones through `services.publish_product` in the one
    import loop (`qinshang.sheets.import_rows`): all or nothing, only the valid rows, or a dry
    run; a refusal of the service lands on its row and column."""
    if not (access.can_manage(actor, park) or actor.role == "admin"):
        raise Forbidden("产品名录由派单中心或系统管理员导入")
    index, ignored, body = read_rows(data, COLUMNS)
    report = ProductImportReport(
        "products", ignored_headers=ignored, dry_run=dry_run, valid_only=valid_only
    )
    ents = MarketEntity.objects.filter(park=park)
    by_name = {_norm(n): pk for pk, n in ents.values_list("pk", "name")}
    by_code = {c: pk for pk, c in ents.exclude(credit_code="").values_list("pk", "credit_code")}
    industry_of = dict(ents.values_list("pk", "industry"))
    existing = set(Product.objects.filter(park=park).values_list("enterprise_id", "name"))
    seen: dict[tuple[int, str], int] = {}

    def check(row: Row) -> services.ProductInput | None:
        val, bad, n = row.val, row.bad, row.n
        who = val("enterprise")
        ent_id = by_name.get(_norm(who)) or by_code.get(who.upper())
        if not who:
            bad("企业名称", "不能为空")
        elif ent_id is None:
            bad("企业名称", f"“{who}”不是本园区登记的企业")
        name = val("name")
        if not name:
            bad("产品名称", "不能为空")
        elif len(name) > 100:
            bad("产品名称", "不能超过 100 字")
        elif ent_id is not None:
            key = (ent_id, name)
            if key in seen:
                bad("产品名称", f"与第 {seen[key]} 行重复")
            elif key in existing:
                bad("产品名称", f"“{name}”已发布，不能重复导入")
            seen.setdefault(key, n)
        kind_text = val("kind")
        kind = next((k for k, ws in KIND_WORDS.items() if _norm(kind_text) in ws), None)
        if kind is None:
            bad("类型", f"“{kind_text}”无法识别，可填：产品、配套能力")
        industry, ind_err = parse_industry(val("industry"))
        if ind_err:
            bad("所属行业", ind_err)
        link = _link_of(val("chain_link"))
        if link is None:
            bad("产业链环节", f"“{val('chain_link')}”不是已定义的产业链环节")
        if not industry and ent_id is not None and not ind_err:
            industry = industry_of.get(ent_id, "")
            if not industry:
                bad("所属行业", "不能为空（企业也未登记行业）")
        return services.ProductInput(
            enterprise_id=ent_id or 0,
            name=name,
            industry=industry,
            kind=kind or OfferKind.PRODUCT,
            spec=val("spec")[:200],
            capacity=val("capacity")[:100],
            chain_link=link or "",
            description=val("description")[:2000],
        )

    def write(n: int, item: services.ProductInput) -> None:
        services.publish_product(actor, park, item)
        report.created += 1

    return import_rows(body, index, report, check=check, write=write, columns_of=FIELD_COLUMN)


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
