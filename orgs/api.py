from django.http import HttpRequest
from ninja import Router, Schema

from orgs.access import request_park as current_park
from orgs.models import Department

router = Router(tags=["组织"])


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    duties: str
    is_dispatch_centre: bool


class ParkOut(Schema):
    id: int
    code: str
    name: str
    short_name: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    role: str
    park: ParkOut
    department_id: int | None
    enterprise_id: int | None


@router.get("/departments", response=list[DepartmentOut], summary="部门列表")
def list_departments(request: HttpRequest) -> list[Department]:
    park = current_park(request)
    return list(Department.objects.filter(park=park, is_active=True))


@router.get("/me", response=MeOut, summary="当前用户")
def me(request: HttpRequest) -> dict:
    user = request.user
    park = current_park(request)
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.display_name,  # type: ignore[union-attr]
        "role": user.role,
        "park": park,  # type: ignore[union-attr]
        "department_id": user.department_id,
        "enterprise_id": user.enterprise_id,  # type: ignore[union-attr]
    }
