from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = "园区与人员"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from orgs.models import User
        from orgs.tokens import revoke_on_password_change

        post_save.connect(revoke_on_password_change, sender=User, dispatch_uid="orgs_token_pw")
