"""The one place that decides which inspections a user may see: the 督查 role (the dispatch
centre), administrators and leaders see the park's; a department sees those of itself."""

from django.db.models import QuerySet

from orgs.models import DEPARTMENT_ROLES, Park, Role, User
from qinshang.errors import NotFound
from supervision.models import Inspection

PARK_WIDE = (Role.DISPATCHER, Role.ADMIN, Role.LEADER)


def visible_inspections(user: User, park: Park) -> QuerySet[Inspection]:
    qs = Inspection.objects.filter(park=park)
    if not user.is_authenticated or not (user.is_superuser or user.in_park(park.pk)):
        return qs.none()
    if user.is_superuser or user.role in PARK_WIDE:
        return qs
    if user.role in DEPARTMENT_ROLES and user.department_id:
        return qs.filter(department_id=user.department_id)
    return qs.none()


def get_inspection(user: User, park: Park, pk: int) -> Inspection:
    found = (
        visible_inspections(user, park)
        .select_related("department", "inspector", "park")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound("督查记录不存在")
    return found
