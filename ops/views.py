from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ops import health


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """No login: a load balancer and a monitor call it. 200 when healthy, 503 otherwise."""
    only = "database" if request.GET.get("check") == "database" else None
    body = health.report(only=only)
    return JsonResponse(
        body,
        status=200 if body["status"] == "ok" else 503,
        json_dumps_params={"ensure_ascii": False},
    )
