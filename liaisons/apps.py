from django.apps import AppConfig


class LiaisonsConfig(AppConfig):
    name = "liaisons"
    verbose_name = "专属服务员"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from liaisons.services import deactivation_blocker, guard_user_deactivation
        from orgs.admin import DEACTIVATION_CHECKS
        from orgs.models import User

        if deactivation_blocker not in DEACTIVATION_CHECKS:
            DEACTIVATION_CHECKS.append(deactivation_blocker)
        pre_save.connect(
            guard_user_deactivation, sender=User, dispatch_uid="liaisons.guard_user_deactivation"
        )
