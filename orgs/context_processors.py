from django.http import HttpRequest


def park(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from orgs.access import user_parks

    return {"park": getattr(request, "park", None), "user_parks": user_parks(user)}
