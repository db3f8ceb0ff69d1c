"""Security events recorded from Django's and axes' signals."""

from axes.signals import user_locked_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import SecurityAction
from orgs.models import User


@receiver(user_locked_out, dispatch_uid="accounts_locked_out")
def _locked(sender, request, username=None, ip_address=None, **kwargs):
    from accounts.services import record

    user = User.objects.filter(username=username).first() if username else None
    record(SecurityAction.LOCKED, user, username=username or "", ip=ip_address)


@receiver(post_save, sender=User, dispatch_uid="accounts_password_changed")
def _password_changed(sender, instance: User, created: bool, **kwargs):
    # See orgs.tokens.revoke_on_password_change for why `_password` marks a real change.
    if created or getattr(instance, "_password", None) is None:
        return
    from accounts.services import record

    record(SecurityAction.PASSWORD_CHANGED, instance, note="全部访问令牌已吊销")
