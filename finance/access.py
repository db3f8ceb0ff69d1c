"""The one place that decides what of 银企对接 a user may see.

- The park-wide roles (派单员, 领导, 管理员) see the park's institutions, needs, consents and answers;
  a 专属服务员 those of the enterprises they serve; an enterprise user its own.
- A 金融机构 user sees only its own institution, and of the park's enterprises only those that
  consented to that institution, and of them only the consented fields (`shared_profile`); a need
  only when it was shown to the institution *and* the consent covers needs. A withdrawn consent
  hides everything at once: every query here joins the active consent.

Pages, the API and the exports all go through these functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet

from entities.models import MarketEntity
from finance.models import (
    Consent,
    ConsentField,
    FinancingNeed,
    Institution,
    InstitutionUser,
    Product,
    Referral,
)
from orgs.models import Park, Role, User
from qinshang import industries
from qinshang.errors import NotFound

PARK_WIDE = (Role.DISPATCHER, Role.ADMIN, Role.LEADER)
# Who may file a need or give a consent for an enterprise: the enterprise, its liaison, the centre.
ACTS_FOR_ENTERPRISE = (Role.ENTERPRISE, Role.LIAISON, Role.DISPATCHER, Role.ADMIN)


def _in_park(user: User, park: Park) -> bool:
    return user.is_authenticated and (user.is_superuser or user.in_park(park.pk))


def institution_of(user: User) -> Institution | None:
    """The institution a 金融机构 user works for (None for everyone else)."""
    if not user.is_authenticated or user.role != Role.BANK:
        return None
    link = InstitutionUser.objects.select_related("institution").filter(user=user).first()
    return link.institution if link else None


def _park_wide(user: User) -> bool:
    return user.is_superuser or user.role in PARK_WIDE


def served_entities(user: User, park: Park) -> QuerySet[MarketEntity]:
    """The enterprises the user may act for in 银企对接 (file needs, give consents)."""
    qs = MarketEntity.objects.filter(park=park)
    if not _in_park(user, park):
        return qs.none()
    if user.is_superuser or user.role in (Role.DISPATCHER, Role.ADMIN):
        return qs
    if user.role == Role.LIAISON:
        return qs.filter(Q(liaison=user) | Q(backup_liaison=user))
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return qs.filter(pk=user.enterprise_id)
    return qs.none()


def _viewable_entities(user: User, park: Park) -> QuerySet[MarketEntity]:
    if _park_wide(user):
        return MarketEntity.objects.filter(park=park)
    return served_entities(user, park)


def visible_institutions(user: User, park: Park) -> QuerySet[Institution]:
    qs = Institution.objects.filter(park=park)
    if not _in_park(user, park):
        return qs.none()
    if user.role == Role.BANK:
        mine = institution_of(user)
        return qs.filter(pk=mine.pk) if mine else qs.none()
    if _park_wide(user):
        return qs
    if user.role in (Role.LIAISON, Role.ENTERPRISE):
        return qs.filter(is_active=True)
    return qs.none()


def get_institution(user: User, park: Park, pk: int) -> Institution:
    found = visible_institutions(user, park).filter(pk=pk).first()
    if found is None:
        raise NotFound("金融机构不存在")
    return found


def visible_products(user: User, park: Park) -> QuerySet[Product]:
    return Product.objects.filter(institution__in=visible_institutions(user, park))


def active_consents(institution: Institution) -> QuerySet[Consent]:
    return Consent.objects.filter(institution=institution, withdrawn_at__isnull=True)


def visible_consents(user: User, park: Park) -> QuerySet[Consent]:
    qs = Consent.objects.filter(park=park)
    if not _in_park(user, park):
        return qs.none()
    if user.role == Role.BANK:
        mine = institution_of(user)
        return qs.filter(institution=mine, withdrawn_at__isnull=True) if mine else qs.none()
    return qs.filter(entity__in=_viewable_entities(user, park))


def get_consent(user: User, park: Park, pk: int) -> Consent:
    found = visible_consents(user, park).select_related("entity", "institution").filter(pk=pk)
    consent = found.first()
    if consent is None:
        raise NotFound("授权记录不存在")
    return consent


def _shown_to(institution: Institution) -> Q:
    """Needs shown to the institution whose enterprise's active consent covers needs."""
    consenting = Consent.objects.filter(
        institution=institution,
        entity=OuterRef("entity"),
        withdrawn_at__isnull=True,
        covers_needs=True,
    )
    return Q(referrals__institution=institution) & Q(Exists(consenting))


def visible_needs(user: User, park: Park) -> QuerySet[FinancingNeed]:
    qs = FinancingNeed.objects.filter(park=park)
    if not _in_park(user, park):
        return qs.none()
    if user.role == Role.BANK:
        mine = institution_of(user)
        return qs.filter(_shown_to(mine)).distinct() if mine else qs.none()
    return qs.filter(entity__in=_viewable_entities(user, park))


def get_need(user: User, park: Park, pk: int) -> FinancingNeed:
    need = visible_needs(user, park).select_related("entity", "created_by").filter(pk=pk).first()
    if need is None:
        raise NotFound("融资需求不存在")
    return need


def visible_referrals(user: User, park: Park) -> QuerySet[Referral]:
    qs = Referral.objects.filter(need__park=park)
    if not _in_park(user, park):
        return qs.none()
    if user.role == Role.BANK:
        mine = institution_of(user)
        if mine is None:
            return qs.none()
        consenting = Consent.objects.filter(
            institution=mine,
            entity=OuterRef("need__entity"),
            withdrawn_at__isnull=True,
            covers_needs=True,
        )
        return qs.filter(institution=mine).filter(Exists(consenting))
    return qs.filter(need__entity__in=_viewable_entities(user, park))


def get_referral(user: User, park: Park, pk: int) -> Referral:
    found = (
        visible_referrals(user, park)
        .select_related("need", "need__entity", "institution", "product")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound("该融资需求未向贵机构推送，或企业已撤回授权")
    return found


# ------------------------------------------------------------------ what a bank may read


@dataclass
class SharedProfile:
    """The consented fields of one enterprise, and nothing else. `entity_id` is the handle the
    bank uses in links; a field not consented is absent (None / empty), never masked text."""

    entity_id: int
    consent_id: int
    fields: list[str]
    name: str | None = None
    credit_code: str | None = None
    industry: str | None = None
    size_class: str | None = None
    figures: list[dict[str, object]] = field(default_factory=list)
    certifications: list[str] = field(default_factory=list)
    contacts: list[dict[str, str]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.name or f"企业（编号 {self.entity_id}，未授权名称）"


def _profile(consent: Consent) -> SharedProfile:
    e = consent.entity
    f = set(consent.fields)
    out = SharedProfile(entity_id=e.pk, consent_id=consent.pk, fields=list(consent.fields))
    if ConsentField.NAME in f:
        out.name = e.name
    if ConsentField.CREDIT_CODE in f:
        out.credit_code = e.credit_code
    if ConsentField.INDUSTRY in f:
        out.industry = industries.label(e.industry) if e.industry else ""
    if ConsentField.SIZE_CLASS in f:
        out.size_class = e.size_override or e.size_class or ""
    if ConsentField.FIGURES in f:
        rows = sorted(e.figures.all(), key=lambda y: y.year, reverse=True)
        out.figures = [
            {
                "year": y.year,
                "employees": y.employees,
                "annual_revenue_wan": y.annual_revenue_wan,
                "total_assets_wan": y.total_assets_wan,
            }
            for y in rows
        ]
        if not rows and e.figures_year:
            out.figures = [
                {
                    "year": e.figures_year,
                    "employees": e.employees,
                    "annual_revenue_wan": e.annual_revenue_wan,
                    "total_assets_wan": e.total_assets_wan,
                }
            ]
    if ConsentField.CERTIFICATIONS in f:
        out.certifications = [
            c.name or c.get_kind_display() for c in e.certifications.all() if not c.revoked_reason
        ]
    if ConsentField.CONTACTS in f:
        out.contacts = [
            {"name": c.name, "phone": c.phone, "position": c.position} for c in e.contacts.all()
        ]
    return out


def shared_profiles(user: User, park: Park) -> list[SharedProfile]:
    """Every consenting enterprise as the bank user may see it."""
    rows = (
        visible_consents(user, park)
        .filter(withdrawn_at__isnull=True)
        .select_related("entity")
        .prefetch_related("entity__figures", "entity__certifications", "entity__contacts")
        .order_by("granted_at", "id")
    )
    if user.role != Role.BANK:
        return []
    return [_profile(c) for c in rows]


def shared_profile(user: User, park: Park, entity_id: int) -> SharedProfile:
    """One consenting enterprise for a bank user; 404 otherwise (as if it did not exist)."""
    if user.role != Role.BANK:
        raise NotFound("企业不存在")
    consent = (
        visible_consents(user, park)
        .filter(entity_id=entity_id, withdrawn_at__isnull=True)
        .select_related("entity")
        .prefetch_related("entity__figures", "entity__certifications", "entity__contacts")
        .first()
    )
    if consent is None:
        raise NotFound("企业不存在或未向贵机构授权")
    return _profile(consent)


def profiles_by_entity(user: User, park: Park) -> dict[int, SharedProfile]:
    return {p.entity_id: p for p in shared_profiles(user, park)}


def amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}".rstrip("0").rstrip(".")
