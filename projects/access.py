"""The one place that decides which key projects a user may see; pages, the API, the
调度会 agenda and the xlsx export all start from `visible_projects`. The 重点民生项目清单 has its
own: `visible_livelihood` / `get_livelihood`."""

from django.db.models import Q, QuerySet

from demands.models import Task
from orgs.models import DEPARTMENT_ROLES, Park, Role, User
from projects.models import KeyProject, LivelihoodProject
from qinshang.errors import Forbidden, NotFound

MANAGER_ROLES = (Role.LEADER, Role.DISPATCHER, Role.ADMIN)


def can_manage(user: User, park: Park) -> bool:
    """Leaders and the dispatch centre register projects, change stages and plan milestones."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or (user.role in MANAGER_ROLES and user.in_park(park.pk))


def visible_projects(user: User, park: Park) -> QuerySet[KeyProject]:
    qs = KeyProject.objects.filter(park=park)
    if not user.is_authenticated or (not user.is_superuser and not user.in_park(park.pk)):
        return qs.none()
    if can_manage(user, park):
        return qs
    if user.role == Role.ENTERPRISE:
        return qs.filter(investor_id=user.enterprise_id) if user.enterprise_id else qs.none()
    if user.role in (Role.RESIDENT, Role.EXPERT):
        return qs.none()
    # Staff: the projects they lead or serve, and those whose investor's demands gave their
    # department a task.
    own = Q(liaison=user) | Q(leader=user)
    if user.role in DEPARTMENT_ROLES and user.department_id:
        investors = Task.objects.filter(
            department_id=user.department_id, demand__park=park, demand__enterprise__isnull=False
        ).values("demand__enterprise_id")
        own |= Q(investor_id__in=investors)
    return qs.filter(own)


def get_project(user: User, park: Park, project_id: int | str) -> KeyProject:
    """Another park's project answers 404 (nothing leaks); one of this park outside the user's
    scope answers 403."""
    try:
        pk = int(project_id)
    except (TypeError, ValueError):
        raise NotFound("项目不存在")
    project = (
        visible_projects(user, park)
        .select_related("park", "investor", "leader", "liaison")
        .filter(pk=pk)
        .first()
    )
    if project is not None:
        return project
    if KeyProject.objects.filter(pk=pk, park=park).exists():
        raise Forbidden("您无权查看该项目")
    raise NotFound("项目不存在")


def can_update_progress(user: User, project: KeyProject) -> bool:
    """Milestone dates and site inspections: managers, and the project's leader and liaison."""
    return can_manage(user, project.park) or user.pk in (project.leader_id, project.liaison_id)


def can_inspect(user: User, project: KeyProject) -> bool:
    """工地巡查 is also done by departments' technical staff (e.g. 自然资源和规划分局)."""
    return can_update_progress(user, project) or (
        user.role in DEPARTMENT_ROLES and user.in_park(project.park_id)
    )


# The whole 重点民生项目清单: the park-wide roles and the liaisons who serve the 村/社区.
LIVELIHOOD_ALL = (*MANAGER_ROLES, Role.LIAISON)


def visible_livelihood(user: User, park: Park) -> QuerySet[LivelihoodProject]:
    """Park-wide roles see the whole list; a department's staff the projects of their unit; the
    residents follow their own item through the ledger (查询进度), not through this list."""
    qs = LivelihoodProject.objects.filter(park=park)
    if not user.is_authenticated or (not user.is_superuser and not user.in_park(park.pk)):
        return qs.none()
    if user.is_superuser or user.role in LIVELIHOOD_ALL:
        return qs
    if user.role in DEPARTMENT_ROLES and user.department_id:
        return qs.filter(department_id=user.department_id)
    return qs.none()


def get_livelihood(user: User, park: Park, project_id: int | str) -> LivelihoodProject:
    """Another park's project answers 404; one of this park outside the user's scope 403."""
    try:
        pk = int(project_id)
    except (TypeError, ValueError):
        raise NotFound("项目不存在")
    project = (
        visible_livelihood(user, park)
        .select_related("park", "department", "demand")
        .filter(pk=pk)
        .first()
    )
    if project is not None:
        return project
    if LivelihoodProject.objects.filter(pk=pk, park=park).exists():
        raise Forbidden("您无权查看该民生项目")
    raise NotFound("项目不存在")


def can_report_livelihood(user: User, project: LivelihoodProject) -> bool:
    """Progress is reported by the responsible unit and the dispatch centre (as the service
    decides; the page uses this to show the form)."""
    return (
        user.is_superuser
        or user.role in MANAGER_ROLES
        or (user.department_id == project.department_id and user.in_park(project.park_id))
    )
