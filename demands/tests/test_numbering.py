import threading

import pytest
from django.db import connection

from demands import services
from demands.models import Demand


@pytest.mark.django_db
def test_numbers_follow_the_year(world):
    a = services.next_number(2026)
    b = services.next_number(2026)
    c = services.next_number(2027)
    assert a.startswith("QS-2026-") and int(b[-6:]) == int(a[-6:]) + 1
    assert c == "QS-2027-000001"


@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_never_share_a_number(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need a server database; SQLite serialises writes")
    user = world.users["dispatcher"]
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for i in range(10):
                services.create_demand(
                    user,
                    world.park,
                    services.Intake(
                        title=f"并发受理 {i}",
                        description="测试编号唯一",
                        channel="api",
                        enterprise_id=world.enterprise.pk,
                    ),
                )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    numbers = list(Demand.objects.values_list("number", flat=True))
    assert len(numbers) == 40 == len(set(numbers))
