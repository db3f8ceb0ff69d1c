"""Which parks a user may act in. Every other scoping function starts from here."""

from typing import cast

from django.db.models import QuerySet
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from orgs.models import Park, User
from qinshang.errors import Forbidden, InvalidInput


class UserRequest(HttpRequest):
    """A request with a logged-in user: what `login_required` and the API's auth (token or
    session) let through. Annotate such handlers' `request` with it instead of silencing mypy on
    `request.user`; the guard is what makes the annotation true. Guarded pages use
    `qinshang.pages.ParkRequest`, which adds the park."""

    user: User
    htmx: HtmxDetails  # django_htmx's middleware runs on every request


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
        return cast(Park, user.park)
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
    # park_for refuses the anonymous user itself.
    return park_for(cast(User, request.user), park_id)
