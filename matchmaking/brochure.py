"""《企业产品宣传手册》: the park's published products by industry (GB/T 4754 大类), each
enterprise with its products, specs, capacities and its primary contact. Word (.docx, A4,
headings, page numbers through qinshang.documents) and PDF (LibreOffice)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from entities.models import Contact
from matchmaking import chains
from matchmaking.models import Product
from orgs.models import Park
from qinshang import documents, industries


def build_docx(park: Park, products: QuerySet[Product]) -> bytes:
    rows = list(
        products.select_related("enterprise")
        .prefetch_related(
            Prefetch(
                "enterprise__contacts",
                queryset=Contact.objects.order_by("-is_primary", "id"),
                to_attr="contact_list",
            )
        )
        .order_by("industry", "enterprise__name", "name")
    )
    by_industry: dict[str, dict[int, list[Product]]] = defaultdict(lambda: defaultdict(list))
    for p in rows:
        by_industry[p.industry][p.enterprise_id].append(p)
    doc = documents.new_document()
    today = timezone.localdate()
    documents.title(doc, f"{park.name}企业产品宣传手册", f"{today:%Y年%m月}")
    n_ent = len({p.enterprise_id for p in rows})
    documents.paragraph(
        doc,
        f"本手册收录园区 {n_ent} 家企业的 {len(rows)} 项产品与配套能力，按国民经济行业分类"
        "（GB/T 4754-2017）编排。在同等价格、同等质量的情况下，欢迎优先与园区企业开展配套协作。",
    )
    if not rows:
        documents.paragraph(doc, "暂无已发布的产品。")
    for code in sorted(by_industry):
        documents.heading(doc, industries.label(code), 1)
        for items in sorted(by_industry[code].values(), key=lambda ps: ps[0].enterprise.name):
            ent = items[0].enterprise
            documents.heading(doc, ent.name, 2)
            contacts: list[Any] = getattr(ent, "contact_list", [])
            contact = contacts[0] if contacts else None
            line = f"地址：{ent.address or '园区内'}"
            if contact:
                line += f"　联系人：{contact.name}{'（' + contact.position + '）' if contact.position else ''}　电话：{contact.phone}"
            documents.paragraph(doc, line, indent=False, size=10.5)
            if ent.main_business:
                documents.paragraph(doc, f"主营业务：{ent.main_business}", indent=False, size=10.5)
            documents.table(
                doc,
                ["产品/能力", "规格型号", "产能", "产业链环节"],
                [
                    [
                        p.name + (f"\n{p.description}" if p.description else ""),
                        p.spec,
                        p.capacity,
                        chains.link_label(p.chain_link),
                    ]
                    for p in items
                ],
                widths=[6.2, 3.6, 2.8, 3.6],
                size=9.5,
            )
    return documents.to_bytes(doc)


def build_pdf(park: Park, products: QuerySet[Product]) -> bytes:
    return documents.to_pdf(build_docx(park, products))
