from django.apps import AppConfig


class DemandsConfig(AppConfig):
    name = "demands"
    verbose_name = "问题台账"

    def ready(self) -> None:
        from demands import notices
        from demands.services import event_recorded

        event_recorded.connect(notices.on_event_recorded, dispatch_uid="demands.notices")
