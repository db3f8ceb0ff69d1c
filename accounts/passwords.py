"""Password rules beyond Django's own: only what its zh_Hans catalogue lacks."""

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    # Django 5.2 changed this message's msgid and its zh_Hans catalogue still has the old one,
    # so the refusal came out in English.
    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符。"
