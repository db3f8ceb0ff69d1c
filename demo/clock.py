"""The services' clock set to a day of the played-back year, for services that take no `at=`."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from unittest import mock

from django.utils import timezone


@contextlib.contextmanager
def clock(at: dt.datetime) -> Iterator[None]:
    """The services' `timezone.now()` (and so `localdate()`) answer `at` inside the block."""
    utc = at.astimezone(dt.UTC)
    with mock.patch.object(timezone, "now", lambda: utc):
        yield
