from django.http import HttpRequest


def unread(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from notifications.services import unread_count

    return {"unread_notifications": unread_count(user, getattr(request, "park", None))}
