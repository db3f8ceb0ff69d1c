"""The server's clock set to a day of a simulated year, for the benchmark that drives a park
through /api/v1: an API request takes its time from the server, as it must in production
(the services' `at=` is not part of the API). The demo seeding passes `at=` to the services
instead and needs no clock."""

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
