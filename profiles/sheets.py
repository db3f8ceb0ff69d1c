"""Import of yearly figures, certifications and local purchases from the sheets parks keep
(统计报表, 认定名单, 本地采购台账).

One workbook, first sheet: a sheet with a 供应商名称 column is a purchase list, one with a 认定类别
column a certification list, otherwise a figures sheet. Each row names its entity by 统一社会信用代码 or 企业名称 (of this park), goes
through the same services as the profile's forms, and every problem is reported with its row
number, column and a Chinese message. Nothing is written while any row is wrong unless only the
valid rows are asked for; a dry run writes nothing (the loop is qinshang.sheets.import_rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO

from entities import profile as facts
from entities import purchases, sizing
from entities.models import MarketEntity, PurchaseSource
from orgs.models import Park, Role, User
from qinshang import sheets
from qinshang.errors import Forbidden, InvalidInput
from qinshang.sheets import Column, Row, import_rows, read_rows
from qinshang.validators import normalize_credit_code

_ENTITY = (
    Column("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码"), False, 22),
    Column("name", "企业名称", ("市场主体名称", "单位名称", "名称", "企业"), False, 30),
)
FIGURE_COLUMNS: tuple[Column, ...] = _ENTITY + (
    Column("year", "年度", ("数据年度", "统计年度", "年份"), True, 8),
    Column(
        "employees", "从业人员（人）", ("从业人员", "从业人数", "职工人数", "用工人数"), False, 12
    ),
    Column(
        "revenue", "营业收入（万元）", ("营业收入", "主营业务收入", "营业收入(万元)"), False, 14
    ),
    Column("assets", "资产总额（万元）", ("资产总额", "总资产", "资产总额(万元)"), False, 14),
    Column("source", "数据来源", ("来源",), False, 14),
    Column("as_of", "取得日期", ("数据日期", "填报日期"), False, 12),
)
CERT_COLUMNS: tuple[Column, ...] = _ENTITY + (
    Column("kind", "认定类别", ("资质类别", "认定类型"), True, 18),
    Column("number", "证书编号", ("编号", "批准文号"), False, 18),
    Column("issuer", "认定机关", ("发证机关", "认定单位"), False, 18),
    Column("valid_from", "有效期起", ("认定日期", "发证日期", "认定时间"), True, 12),
    Column("valid_until", "有效期至", ("有效期截止", "到期日期"), False, 12),
    Column("cert_name", "认定名称", (), False, 18),
    Column("source", "数据来源", ("来源",), False, 14),
)
PURCHASE_COLUMNS: tuple[Column, ...] = (
    Column("credit_code", "采购方统一社会信用代码", ("采购方信用代码",), False, 22),
    Column("name", "采购方名称", ("采购企业", "采购单位"), False, 30),
    Column("supplier_name", "供应商名称", ("供应商", "销售方"), True, 30),
    Column("supplier_code", "供应商统一社会信用代码", ("供应商信用代码",), False, 22),
    Column("amount", "采购金额（万元）", ("采购金额", "金额（万元）", "合同金额"), True, 14),
    Column("purchased_on", "采购日期", ("合同日期", "发票日期"), True, 12),
    Column("evidence", "凭证", ("合同编号", "发票号码", "凭证号"), False, 18),
    Column("local_sei", "本地战略性新兴产业企业", ("本地战新企业", "是否本地战新"), False, 10),
    Column("basis", "认定依据", (), False, 20),
)
FIELD_COLUMN = {
    "amount_wan": "采购金额（万元）",
    "purchased_on": "采购日期",
    "supplier_name": "供应商名称",
    "supplier_credit_code": "供应商统一社会信用代码",
    "supplier_id": "供应商名称",
    "local_sei_basis": "认定依据",
    "evidence": "凭证",
    "year": "年度",
    "employees": "从业人员（人）",
    "annual_revenue_wan": "营业收入（万元）",
    "total_assets_wan": "资产总额（万元）",
    "kind": "认定类别",
    "valid_from": "有效期起",
    "valid_until": "有效期至",
    "name": "认定名称",
    "number": "证书编号",
    "issuer": "认定机关",
}


@dataclass
class ProfileImportReport(sheets.RowReport):
    """`kind` "figures" | "certifications" | "purchases": which sheet the upload was."""

    @property
    def label(self) -> str:
        return {
            "figures": "年度经营数据",
            "certifications": "资质认定",
            "purchases": "本地采购记录",
        }.get(self.kind, self.kind)


def _find(park: Park, code: str, name: str) -> tuple[MarketEntity | None, str, str]:
    if code:
        e = MarketEntity.objects.filter(park=park, credit_code=normalize_credit_code(code)).first()
        return e, "统一社会信用代码", "" if e else f"本园区没有信用代码为 {code} 的市场主体"
    if name:
        e = MarketEntity.objects.filter(park=park, name=name.strip()).first()
        return e, "企业名称", "" if e else f"本园区没有名为“{name}”的市场主体"
    return None, "企业名称", "须填写统一社会信用代码或企业名称"


def _purchase(row: Row) -> purchases.PurchaseInput:
    stated = row.val("local_sei")
    return purchases.PurchaseInput(
        amount_wan=row.val("amount"),
        purchased_on=row.val("purchased_on"),
        supplier_name=row.val("supplier_name"),
        supplier_credit_code=row.val("supplier_code"),
        evidence=row.val("evidence"),
        local_sei=None if not stated else stated in ("是", "1", "Y", "y"),
        local_sei_basis=row.val("basis"),
        source=PurchaseSource.IMPORT,
    )


def _figures(row: Row) -> facts.FigureInput:
    as_of = row.val("as_of") or None
    src = row.val("source")
    return facts.FigureInput(
        year=row.val("year"),
        employees=row.val("employees"),
        employees_source=src,
        employees_date=as_of,
        annual_revenue_wan=row.val("revenue"),
        revenue_source=src,
        revenue_date=as_of,
        total_assets_wan=row.val("assets"),
        assets_source=src,
        assets_date=as_of,
    )


def _certification(row: Row) -> facts.CertificationInput:
    return facts.CertificationInput(
        kind=row.val("kind"),
        valid_from=row.val("valid_from"),
        valid_until=row.val("valid_until") or None,
        name=row.val("cert_name"),
        number=row.val("number"),
        issuer=row.val("issuer"),
        source=row.val("source"),
    )


Parsed = purchases.PurchaseInput | facts.FigureInput | facts.CertificationInput


def import_profile_sheet(
    actor: User,
    park: Park,
    data: bytes | IO[bytes],
    *,
    dry_run: bool = False,
    valid_only: bool = False,
) -> ProfileImportReport:
    if not (
        actor.is_superuser
        or (actor.role in (Role.DISPATCHER, Role.ADMIN) and actor.in_park(park.pk))
    ):
        raise Forbidden("只有派单员或管理员可以导入企业档案数据")
    raw = data if isinstance(data, bytes) else data.read()
    # A purchase list names its supplier, a certification list its kind; else figures.
    parse: Callable[[Row], Parsed]
    try:
        index, ignored, body = read_rows(raw, PURCHASE_COLUMNS)
        kind, parse = "purchases", _purchase
    except InvalidInput:
        try:
            index, ignored, body = read_rows(raw, CERT_COLUMNS)
            kind, parse = "certifications", _certification
        except InvalidInput:
            index, ignored, body = read_rows(raw, FIGURE_COLUMNS)
            kind, parse = "figures", _figures
    report = ProfileImportReport(
        kind, ignored_headers=ignored, dry_run=dry_run, valid_only=valid_only
    )

    def check(row: Row) -> tuple[MarketEntity, Parsed] | None:
        entity, column, err = _find(park, row.val("credit_code"), row.val("name"))
        if entity is None:
            row.bad(column, err)
            return None
        return entity, parse(row)

    def write(_n: int, value: tuple[MarketEntity, Parsed]) -> None:
        entity, data_in = value
        if isinstance(data_in, purchases.PurchaseInput):
            purchases.record_purchase(actor, entity, data_in)
        elif isinstance(data_in, facts.FigureInput):
            facts.record_figures(actor, entity, data_in)
        else:
            facts.add_certification(actor, entity, data_in)
        report.created += 1

    return import_rows(body, index, report, check=check, write=write, columns_of=FIELD_COLUMN)


EXPORT_HEADERS = (
    ("名称", 32),
    ("统一社会信用代码", 22),
    ("类型", 14),
    ("层级", 14),
    ("行业大类", 10),
    ("企业规模", 8),
    ("划型依据", 40),
    ("数据年度", 8),
    ("从业人员（人）", 12),
    ("营业收入（万元）", 14),
    ("资产总额（万元）", 14),
    ("专属服务员", 12),
    ("地址", 30),
)


def export_profiles(entities: Iterable[MarketEntity]) -> bytes:
    """The 企业档案 directory as a workbook (the rows a filtered list shows)."""
    wb, ws = sheets.new_workbook("企业档案")
    sheets.write_table(
        ws,
        EXPORT_HEADERS,
        (
            (
                e.name,
                e.credit_code,
                e.get_kind_display(),
                e.get_tier_display(),
                e.industry,
                sizing.LABELS.get(e.size_class, "未划型"),
                str((e.size_basis or {}).get("rule", "")),
                e.figures_year,
                e.employees,
                e.annual_revenue_wan,
                e.total_assets_wan,
                e.liaison.display_name if e.liaison else "",
                e.address,
            )
            for e in entities
        ),
    )
    return sheets.to_bytes(wb)
