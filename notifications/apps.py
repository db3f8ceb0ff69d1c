from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "消息提醒"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from demands.services import event_recorded
        from notifications import services

        event_recorded.connect(services.on_event_recorded, dispatch_uid="notifications.on_event")
