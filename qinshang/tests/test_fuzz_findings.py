"""Server errors the fuzz suite found, each kept as a plain regression test."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "params",
    [{"date_from": "0001-01-01"}, {"date_to": "9999-12-31"}, {"date_from": "1899-12-31"}],
)
def test_ledger_dates_out_of_range_are_refused_not_a_crash(world, params):
    r = world.client("dispatcher").get("/demands", **params)
    assert r.status_code == 422, r.content
    body = r.json()
    assert "超出范围" in body["detail"] and body["field"] in params

    c = Client()
    c.force_login(world.users["dispatcher"])
    page = c.get("/demands/", params)
    assert page.status_code == 422
    assert "超出范围" in page.content.decode()


def test_ledger_dates_at_the_edges_of_the_range_are_accepted(world):
    r = world.client("dispatcher").get("/demands", date_from="1900-01-01", date_to="2999-12-31")
    assert r.status_code == 200, r.content
