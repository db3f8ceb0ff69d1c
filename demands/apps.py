from django.apps import AppConfig


class DemandsConfig(AppConfig):
    name = "demands"
    verbose_name = "问题台账"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from demands import notices
        from demands.search import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="demands.search")
        from demands.services import event_recorded

        event_recorded.connect(notices.on_event_recorded, dispatch_uid="demands.notices")
