from django.apps import AppConfig


class LiaisonsConfig(AppConfig):
    name = "liaisons"
    verbose_name = "专属服务员"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from liaisons.services import guard_user_deactivation
        from orgs.models import User

        pre_save.connect(
            guard_user_deactivation, sender=User, dispatch_uid="liaisons.guard_user_deactivation"
        )
