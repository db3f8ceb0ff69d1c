"""The one place that decides which demands a user may see. Lists, detail pages, the API and
exports all start from `visible_demands`; nothing else filters demands by user."""

from django.db.models import Q, QuerySet

from demands.models import Demand, Task
from orgs.models import Park, Role, User
from qinshang.errors import Forbidden, NotFound


def visible_demands(user: User, park: Park) -> QuerySet[Demand]:
    qs = Demand.objects.filter(park=park)
    if not user.is_authenticated or not user.in_park(park.pk) and not user.is_superuser:
        return qs.none()
    role = user.role
    if user.is_superuser or role in (Role.DISPATCHER, Role.ADMIN, Role.LEADER):
        return qs
    # Every staff member may also be someone's 专属服务员, whatever their workbench role.
    served = (
        Q(liaison=user)
        | Q(enterprise__liaison=user)
        | Q(enterprise__backup_liaison=user)
        | Q(created_by=user)
    )
    if role in (Role.HANDLER, Role.DEPARTMENT_HEAD):
        if not user.department_id:
            return qs.filter(served)
        tasks = Task.objects.filter(department_id=user.department_id).values("demand_id")
        return qs.filter(Q(pk__in=tasks) | served)
    if role == Role.LIAISON:
        return qs.filter(served)
    if role == Role.ENTERPRISE:
        if user.enterprise_id:
            return qs.filter(Q(enterprise_id=user.enterprise_id) | Q(created_by=user))
        return qs.filter(created_by=user)
    if role == Role.RESIDENT:
        return qs.filter(created_by=user)
    if role == Role.EXPERT:
        # Only the demands of consultations the expert sits on (panel or chair). The relation
        # path keeps demands below experts: no import of the experts app here.
        sits = Demand.objects.filter(
            Q(consultations__experts__user=user) | Q(consultations__chair=user)
        ).values("pk")
        return qs.filter(pk__in=sits)
    return qs.none()


def department_tasks(user: User, park: Park) -> QuerySet[Task]:
    """The tasks of the user's department on demands of `park` the user may see. For whoever
    `visible_demands` gives the park's demands in which the department has a task (the
    department's own staff, and those who see the whole park) that is every task of the
    department in the park, asked as such: the visibility subquery, an OR over the department's
    tasks and the served enterprises, made the database test every demand of the park (1.8 s
    for a department's inbox at 1,000,000 demands)."""
    if not user.department_id:
        return Task.objects.none()
    tasks = Task.objects.filter(department_id=user.department_id)
    sees = user.is_authenticated and (user.in_park(park.pk) or user.is_superuser)
    whole = user.is_superuser or user.role in (
        Role.DISPATCHER,
        Role.ADMIN,
        Role.LEADER,
        Role.HANDLER,
        Role.DEPARTMENT_HEAD,
    )
    if sees and whole:
        return tasks.filter(demand__park=park)
    return tasks.filter(demand__in=visible_demands(user, park))


# What a demand's detail names besides itself: read with it in one query. Not merged_into:
# a whole second demand's columns on every read, for the number of the few merged ones.
DETAIL_RELATED = ("park", "category", "category__parent", "enterprise", "lead_department")


def get_demand(user: User, park: Park, demand_id: int | str) -> Demand:
    """The demand if the user may see it. Another park's demand is reported as missing, so that
    nothing about other parks leaks; a demand of the user's park outside their scope is refused."""
    try:
        pk = int(demand_id)
    except (TypeError, ValueError):
        raise NotFound("诉求不存在")
    demand = visible_demands(user, park).select_related(*DETAIL_RELATED).filter(pk=pk).first()
    if demand is not None:
        return demand
    if Demand.objects.filter(pk=pk, park=park).exists():
        raise Forbidden("您无权查看或办理该诉求")
    raise NotFound("诉求不存在")


def get_demand_by_number(user: User, park: Park, number: str) -> Demand:
    demand = Demand.objects.filter(park=park, number=number).only("pk").first()
    if demand is None:
        raise NotFound("诉求不存在")
    return get_demand(user, park, demand.pk)
