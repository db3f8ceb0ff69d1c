"""The one place that decides which consultations and experts a user may see; pages, the API
and the 清零 board all start here."""

from django.db.models import QuerySet

from experts.models import Consultation, Expert
from orgs.models import DEPARTMENT_ROLES, Park, Role, User
from qinshang.errors import Forbidden, NotFound

MANAGER_ROLES = (Role.LEADER, Role.DISPATCHER, Role.ADMIN)


def can_manage(user: User, park: Park) -> bool:
    """Leaders and the dispatch centre keep the pool, open consultations and set the rule."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or (user.role in MANAGER_ROLES and user.in_park(park.pk))


def visible_consultations(user: User, park: Park) -> QuerySet[Consultation]:
    qs = Consultation.objects.filter(park=park)
    if not user.is_authenticated or (not user.is_superuser and not user.in_park(park.pk)):
        return qs.none()
    if can_manage(user, park):
        return qs
    if user.role == Role.EXPERT:
        return qs.filter(experts__user=user).distinct()
    if user.role in DEPARTMENT_ROLES and user.department_id:
        # The consultations whose conclusion gave the department a task.
        return qs.filter(departments=user.department_id).distinct()
    return qs.none()


def get_consultation(user: User, park: Park, consultation_id: int | str) -> Consultation:
    try:
        pk = int(consultation_id)
    except (TypeError, ValueError):
        raise NotFound("会诊不存在")
    c = (
        visible_consultations(user, park)
        .select_related("demand", "demand__enterprise", "chair", "park")
        .filter(pk=pk)
        .first()
    )
    if c is not None:
        return c
    if Consultation.objects.filter(pk=pk, park=park).exists():
        raise Forbidden("您无权查看该会诊")
    raise NotFound("会诊不存在")


def visible_experts(user: User, park: Park) -> QuerySet[Expert]:
    """The pool with contacts is for those who form panels; an expert sees their own entry."""
    qs = Expert.objects.filter(park=park)
    if can_manage(user, park):
        return qs
    if user.is_authenticated and user.role == Role.EXPERT and user.in_park(park.pk):
        return qs.filter(user=user)
    raise Forbidden("专家库仅供园区领导和派单中心查看")
