import datetime as dt
from functools import lru_cache

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from demands import privacy, redaction
from demands.models import Demand
from workcal import dates

register = template.Library()


@register.filter
def public_status(demand: Demand) -> str:
    """The status as the requester sees it: the routing argument stays inside the park."""
    return redaction.public_status(demand)[1]


@register.filter
def mask_name(name: str) -> str:
    """张* — for reports, which nobody reads to call a requester (demands.privacy)."""
    return privacy.mask_name(name)


@register.filter
def public_status_value(demand: Demand) -> str:
    return redaction.public_status(demand)[0]


@register.filter
def urge_label(level: int) -> str:
    """催办 → 督办 → 挂牌督办."""
    from demands.workflow import URGE_LEVELS

    return URGE_LEVELS.get(level, f"督办{level}") if level else ""


_BADGES = {
    "overdue": mark_safe('<span class="badge overdue">已逾期</span>'),
    "due_soon": mark_safe('<span class="badge due_soon">即将到期</span>'),
    "normal": mark_safe('<span class="badge normal">正常</span>'),
}


@register.simple_tag
def state_badge(state: str, deadline: dt.date | None = None) -> str:
    """正常 / 即将到期 / 逾期 N 个工作日 as a badge (a tag, not an include: lists render it per
    row). Given the deadline, an overdue badge says by how many working days."""
    if state == "overdue" and deadline is not None:
        text = dates.overdue_text(deadline) or "已逾期"
        return format_html('<span class="badge overdue">{}</span>', text)
    return _BADGES.get(state, _BADGES["normal"])


@lru_cache(maxsize=1)
def _demand_prefix() -> str:
    return reverse("demands:ledger")


@register.filter
def demand_url(pk: int) -> str:
    """The demand page's URL; lists call this per row, where `{% url %}` is slow."""
    return f"{_demand_prefix()}{pk}/"
