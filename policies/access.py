"""The one scoping of policies, grants, applications and 有政策未享受 tasks.

Staff of the park (not experts) see every policy; editors also see drafts. An enterprise user
sees published policies and only its own grants and applications. Another park's objects are
not found (404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from orgs.models import Park, Role, User
from policies.models import Application, Grant, Policy, PolicyStatus, Unclaimed
from qinshang.errors import Forbidden, NotFound

EDIT_ROLES = (Role.DISPATCHER, Role.ADMIN, Role.LEADER)
# 免申即享 lists are drawn up and applications decided by these.
DECIDE_ROLES = (Role.DISPATCHER, Role.ADMIN, Role.LEADER)
# The finance bureau confirms a 免申即享 list (the issue: "grant list for the finance bureau to
# confirm"): the head of a department named 财政… (财政局, 财政分局, 财政金融局) besides the deciders.
FINANCE_BUREAU_WORD = "财政"
STAFF_ROLES = (
    Role.DISPATCHER,
    Role.ADMIN,
    Role.LEADER,
    Role.LIAISON,
    Role.HANDLER,
    Role.DEPARTMENT_HEAD,
)


def _in_park(user: User, park: Park) -> bool:
    return user.is_authenticated and (user.is_superuser or user.in_park(park.pk))


def is_staff(user: User) -> bool:
    return user.is_superuser or user.role in STAFF_ROLES


def can_edit(user: User) -> bool:
    return user.is_superuser or user.role in EDIT_ROLES


def can_decide(user: User) -> bool:
    return user.is_superuser or user.role in DECIDE_ROLES


def heads_finance_bureau(user: User) -> bool:
    dept = user.department if user.role == Role.DEPARTMENT_HEAD else None
    return dept is not None and dept.is_active and FINANCE_BUREAU_WORD in dept.name


def can_confirm(user: User) -> bool:
    """Confirm or refuse a proposed 免申即享 grant."""
    return can_decide(user) or heads_finance_bureau(user)


def require_edit(user: User) -> None:
    if not can_edit(user):
        raise Forbidden("只有派单员、园区领导和管理员可以维护惠企政策")


def require_decide(user: User) -> None:
    if not can_decide(user):
        raise Forbidden("只有派单员、园区领导和管理员可以生成兑现名单、审核申请")


def require_confirm(user: User) -> None:
    if not can_confirm(user):
        raise Forbidden("只有财政局负责人、派单员、园区领导和管理员可以确认政策兑现")


def visible_policies(user: User, park: Park) -> QuerySet[Policy]:
    qs = Policy.objects.filter(park=park)
    if not _in_park(user, park):
        return qs.none()
    if can_edit(user):
        return qs
    if is_staff(user) or (user.role == Role.ENTERPRISE and user.enterprise_id):
        return qs.exclude(status=PolicyStatus.DRAFT)
    return qs.none()


def get_policy(user: User, park: Park, policy_id: Any) -> Policy:
    policy = visible_policies(user, park).filter(pk=policy_id).first()
    if policy is None:
        raise NotFound("政策不存在")
    return policy


def visible_grants(user: User, park: Park) -> QuerySet[Grant]:
    qs = Grant.objects.filter(policy__park=park)
    if not _in_park(user, park):
        return qs.none()
    if is_staff(user):
        return qs
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return qs.filter(entity_id=user.enterprise_id, status="confirmed")
    return qs.none()


def get_grant(user: User, park: Park, grant_id: Any) -> Grant:
    grant = visible_grants(user, park).filter(pk=grant_id).first()
    if grant is None:
        raise NotFound("兑现记录不存在")
    return grant


def visible_applications(user: User, park: Park) -> QuerySet[Application]:
    qs = Application.objects.filter(policy__park=park)
    if not _in_park(user, park):
        return qs.none()
    if is_staff(user):
        return qs
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return qs.filter(entity_id=user.enterprise_id)
    return qs.none()


def get_application(user: User, park: Park, application_id: Any) -> Application:
    app = visible_applications(user, park).filter(pk=application_id).first()
    if app is None:
        raise NotFound("申请不存在")
    return app


def visible_unclaimed(user: User, park: Park) -> QuerySet[Unclaimed]:
    qs = Unclaimed.objects.filter(policy__park=park, closed_at__isnull=True)
    if not _in_park(user, park):
        return qs.none()
    if user.is_superuser or user.role in (Role.DISPATCHER, Role.ADMIN, Role.LEADER):
        return qs
    if user.role == Role.LIAISON:
        return qs.filter(liaison=user)
    return qs.none()
