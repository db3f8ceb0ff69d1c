"""Which parks a user may act in. Every other scoping function starts from here."""

from django.db.models import QuerySet
from django.http import HttpRequest

from orgs.models import Park, User
from qinshang.errors import Forbidden, InvalidInput


def user_parks(user: User) -> QuerySet[Park]:
    if user.is_superuser:
        return Park.objects.all()
    return Park.objects.filter(pk__in=user.park_ids())


def park_for(user: User, park_id: int | None = None) -> Park:
    """The park the user acts in: the one asked for if allowed, else the user's own."""
    if not user.is_authenticated:
        raise Forbidden("请先登录")
    # The user's own park came with the user (the token lookup joins it): no query for the
    # park of nearly every request.
    if user.park_id and park_id in (None, user.park_id):
        return user.park  # type: ignore[return-value]
    parks = user_parks(user)
    if park_id is not None:
        park = parks.filter(pk=park_id).first()
        if park is None:
            raise Forbidden("您无权访问该园区")
        return park
    park = parks.first()
    if park is None:
        raise Forbidden("您的账号尚未分配园区，请联系管理员")
    return park


def request_park(request: HttpRequest) -> Park:
    """The park an API request acts in: the `X-Park` header if given (a park id), else the
    user's own. Lives here, not in the API root, so that app APIs need not import the root
    that imports them."""
    raw = request.headers.get("X-Park")
    park_id = None
    if raw:
        try:
            park_id = int(raw)
        except ValueError:
            raise InvalidInput("请求头 X-Park 应为园区编号（整数）")
    return park_for(request.user, park_id)  # type: ignore[arg-type]
