"""Routing knows each department's duties: names, duties and LABEL_TEXTS providers."""

import pytest

from routing import services
from routing.models import Target
from routing.signals import LABEL_TEXTS
from routing.tests._data import synthetic

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(world):
    def duties(park):
        if park != world.park:
            return {}
        return {world.dept_c.pk: ["企业用工招聘服务", "稳岗返还申领"], 99999: ["unknown"]}

    def broken(park):
        raise RuntimeError("knowledge base down")

    LABEL_TEXTS.extend([duties, broken])
    yield
    LABEL_TEXTS.remove(duties)
    LABEL_TEXTS.remove(broken)


def test_label_texts_hold_names_duties_and_providers(world, provider):
    world.dept_b.duties = "建设用地报批、规划许可、不动产登记"
    world.dept_b.save()
    texts = services.label_texts(world.park, Target.DEPARTMENT)
    assert texts["land"] == ["自然资源和规划分局", "建设用地报批", "规划许可", "不动产登记"]
    assert texts["hr"] == ["人力资源和社会保障局", "企业用工招聘服务", "稳岗返还申领"]
    assert "centre" not in texts  # the dispatch centre is no place to route to
    assert services.label_texts(world.other_park, Target.DEPARTMENT)["econ"] == ["经济发展局"]


def test_a_department_without_cases_is_learnt_from_its_duties(world, provider):
    texts, labels = synthetic(12)
    codes = {"tax": "econ", "finance": "econ", "land": "land", "labour": "land"}
    report = services.retrain(
        world.park, Target.DEPARTMENT, data=(texts, [codes[y] for y in labels])
    )
    router = services.load(report.version)
    assert "hr" in router.classes_ and router.metadata["described_only"] == ["hr"]
    top = router.predict(["稳岗返还怎么申领，企业用工招聘服务找谁"], k=1)[0][0]
    assert top.label == "hr"
