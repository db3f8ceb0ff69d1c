"""Settings for the test suite: fast hashing, tasks run at once, files in a temporary folder."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "1")

from qinshang.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="qinshang-test-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if "DATABASE_URL" not in os.environ:
    DATABASES["default"]["OPTIONS"] = {}  # noqa: F405  (in-memory test DB: WAL does not apply)
LOGGING = {"version": 1, "disable_existing_loggers": False}
MIDDLEWARE = [m for m in MIDDLEWARE if "whitenoise" not in m]  # noqa: F405
# The personas log in without a second factor; the accounts tests switch the requirement on.
OTP_REQUIRED_ROLES = []
# Nothing leaves the machine in tests: outside channels are off unless a test turns one on
# (against a fake gateway on 127.0.0.1), and the outbox is a temporary folder.
NOTIFY_SMS_BACKEND = NOTIFY_EMAIL_BACKEND = NOTIFY_WECHAT_BACKEND = ""
NOTIFY_SMS_URL = ""
NOTIFY_WECHAT_BASE_URL = "http://127.0.0.1:9"
NOTIFY_OUTBOX_DIR = Path(tempfile.mkdtemp(prefix="qinshang-test-outbox-"))
