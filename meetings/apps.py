from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "会议协调"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from demands.services import event_written
        from meetings import agenda

        # Inside the escalation's own transaction: the agenda item commits or rolls back with it.
        event_written.connect(agenda.on_event_written, dispatch_uid="meetings.on_escalate")
