"""The caller card's service alone (`routing.intake.caller`) on a database bench/search.py
loaded: 30 requesters' and 30 contacts' numbers of the bench park, p50/p95 in ms.

    .venv/bin/python bench/caller_card.py sqlite:////tmp/qs_main_search.sqlite3
    .venv/bin/python bench/caller_card.py postgres://postgres@127.0.0.1:5432/qinshang_search_main

Ends with one line of key=value figures.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("OTP_REQUIRED_ROLES", "")
    os.environ["DJANGO_SETTINGS_MODULE"] = "qinshang.settings"
    import django

    django.setup()
    from demands.models import Demand
    from entities.models import Contact
    from orgs.models import Park, User
    from routing import intake

    disp = User.objects.get(username="bench_disp")
    park = Park.objects.get(code="bench")
    requesters = list(
        Demand.objects.filter(park=park)
        .exclude(requester_phone="")
        .values_list("requester_phone", flat=True)[::997][:30]
    )
    contacts = list(
        Contact.objects.filter(entity__park=park)
        .exclude(phone="")
        .values_list("phone", flat=True)[::7][:30]
    )
    figures: dict[str, float | str] = {}
    for label, phones in (("requester", requesters), ("contact", contacts)):
        times = []
        for phone in phones:
            t = time.perf_counter()
            intake.caller(disp, park, phone)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        figures[f"{label}_p50_ms"] = round(times[len(times) // 2], 1)
        figures[f"{label}_p95_ms"] = round(times[int(len(times) * 0.95)], 1)
    figures["loadavg"] = open("/proc/loadavg").read().split()[0]
    print(" ".join(f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    main(sys.argv[1])
