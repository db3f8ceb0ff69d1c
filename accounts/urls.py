from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("account/", views.security, name="security"),
    path("account/password/", views.PasswordChange.as_view(), name="password"),
    path("account/otp/setup/", views.otp_setup, name="otp_setup"),
    path("account/otp/verify/", views.otp_verify, name="otp_verify"),
    path("account/second-factor/backup-codes/", views.backup_codes, name="backup_codes"),
    path("account/second-factor/remove/", views.otp_remove, name="otp_remove"),
    path("account/tokens/", views.my_tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("manage/security/", views.manage_security, name="manage_security"),
    path("manage/security/unlock/", views.manage_unlock, name="manage_unlock"),
    path(
        "manage/security/users/<int:user_id>/reset-otp/", views.manage_reset_otp, name="reset_otp"
    ),
    path("manage/tokens/", views.park_tokens, name="park_tokens"),
]
