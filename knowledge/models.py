"""The knowledge base: entries with a named owner (department + 政策专员), validity, a review
cycle, versions, attachments; the links from ledger answers to the entries they used; portal
self-service; 三方连线 consults with the specialist; and the search index rows."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from demands.models import Demand, Event
from orgs.models import Department, Park


class Kind(models.TextChoices):
    POLICY = "policy", "政策解读"
    GUIDE = "guide", "办事指南"
    DUTY = "duty", "权责清单事项"
    FAQ = "faq", "常见问答"
    CASE = "case", "类案答复"


# What the enterprise portal may show before submitting (public ones only).
PORTAL_KINDS = (Kind.FAQ, Kind.POLICY)


class EntryStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已停用"


class Entry(models.Model):
    park = models.ForeignKey(Park, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("答复口径")  # what may be told to the enterprise
    internal_note = models.TextField("内部备注", blank=True)  # never shown outside staff
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="knowledge_entries"
    )
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="knowledge_entries",
        verbose_name="政策专员",
    )
    status = models.CharField(
        "状态", max_length=10, choices=EntryStatus.choices, default=EntryStatus.DRAFT
    )
    is_public = models.BooleanField("对企业公开", default=False)
    duty_code = models.CharField("事项编码", max_length=60, blank=True)
    basis = models.TextField("依据", blank=True)
    keywords = models.CharField("关键词", max_length=200, blank=True)
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_until = models.DateField("失效日期", null=True, blank=True)
    review_cycle_days = models.PositiveSmallIntegerField("复核周期（天）", default=365)
    reviewed_on = models.DateField("上次复核")
    review_due = models.DateField("下次复核")  # reviewed_on + review_cycle_days, kept by services
    source_demand = models.ForeignKey(
        Demand, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField("版本", default=1)
    flagged_on = models.DateField("提醒复核日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    flag_texts: list[str]  # set by the list page for the template (已过复核期 …)

    class Meta:
        verbose_name = "知识条目"
        verbose_name_plural = "知识条目"
        indexes = [models.Index(fields=["park", "department", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "duty_code"],
                condition=~models.Q(duty_code=""),
                name="knowledge_duty_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EntryVersion(models.Model):
    """Who changed what: the entry as it stood after each save, and the fields that changed."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    internal_note = models.TextField(blank=True)
    changes = models.JSONField(default=dict)  # field → [before, after]
    reason = models.CharField(max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "number"], name="knowledge_version_unique")
        ]


def entry_file_path(instance: EntryAttachment, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"knowledge/{instance.entry.park_id}/{uuid.uuid4().hex}.{ext}"


class EntryAttachment(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=entry_file_path, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)


class LinkVia(models.TextChoices):
    ON_SPOT = "on_spot", "当场解决采用"
    CONSULT = "consult", "三方连线"
    PROMOTED = "promoted", "推荐为类案"


class EntryLink(models.Model):
    """An answer of the ledger that used an entry (or an entry made from an answer)."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="links")
    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, null=True, related_name="+")
    via = models.CharField(max_length=10, choices=LinkVia.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()


class SelfServe(models.Model):
    """An enterprise that read a suggested answer on the portal and did not submit
    (“已解决，不再提交”)."""

    park = models.ForeignKey(Park, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    question = models.TextField()
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField()


class ConsultStatus(models.TextChoices):
    OPEN = "open", "待专员答复"
    SOLVED = "solved", "已当场解决"
    DISPATCH = "dispatch", "转为交办"
    CANCELLED = "cancelled", "已撤回"


class Consult(models.Model):
    """三方连线: a quick question from the liaison or dispatcher to an entry's 政策专员, with a
    limit in working hours."""

    park = models.ForeignKey(Park, on_delete=models.PROTECT, related_name="+")
    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, null=True, related_name="consults")
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="knowledge_consults"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField()
    limit_hours = models.PositiveSmallIntegerField(default=2)
    asked_at = models.DateTimeField()
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ConsultStatus.choices, default=ConsultStatus.OPEN
    )
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    state_text: str  # set by the pages for the template (待答复 / 已超时 / …)

    class Meta:
        indexes = [models.Index(fields=["specialist", "status"])]


class DocKind(models.TextChoices):
    ENTRY = "entry", "知识条目"
    DEMAND = "demand", "已答复诉求"


class SearchDoc(models.Model):
    """One row per searchable thing: an entry or an answered demand, its text pre-tokenised
    (jieba words + character bigrams, space separated). SQLite indexes `tokens` in an FTS5
    table (knowledge_fts, rowid = id); PostgreSQL in a GIN over to_tsvector('simple', tokens)."""

    park = models.ForeignKey(Park, on_delete=models.CASCADE, related_name="+")
    doc_kind = models.CharField(max_length=10, choices=DocKind.choices)
    ref_id = models.BigIntegerField()
    department_id = models.BigIntegerField(null=True)
    entry_kind = models.CharField(max_length=10, blank=True)
    portal = models.BooleanField(default=False)  # public, published, valid: portal may show it
    live = models.BooleanField(default=True)  # staff may be offered it (published and in date)
    title = models.CharField(max_length=200)
    tokens = models.TextField()
    length = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["doc_kind", "ref_id"], name="knowledge_doc_unique")
        ]
        indexes = [models.Index(fields=["park", "doc_kind", "department_id"])]


class Term(models.Model):
    """Document frequency per token and park, for BM25 on PostgreSQL."""

    park = models.ForeignKey(Park, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=60)
    df = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["park", "term"], name="knowledge_term_unique")
        ]
