"""The learning loop end to end: corrections → retraining → the better model is activated;
a worse one is not; a rollback works; suggestions and automatic dispatch at intake."""

import random

import pytest

from demands import services as ds
from demands.models import Category, Demand
from demo import textgen as tg
from qinshang.errors import Forbidden
from routing import services
from routing.models import Label, LabelKind, ModelVersion, Suggestion, Target, VersionStatus

pytest.importorskip("routing.engine")
pytestmark = pytest.mark.django_db

KINDS = {  # textgen category → (world category attribute, world department attribute)
    "financing-loan": ("cat_finance", "dept_a"),
    "land-supply": ("cat_land", "dept_b"),
    "talent-recruit": ("cat_hr", "dept_c"),
}


@pytest.fixture
def ledger(world):
    world.cat_hr = Category.objects.create(
        park=world.park,
        parent=world.cat_parent,
        code="hr-recruit",
        name="招工",
        default_department=world.dept_c,
        time_limit_days=5,
    )
    rng = random.Random(3)
    disp = world.users["dispatcher"]
    made = []
    for i in range(150):
        code = list(KINDS)[i % 3]
        if code not in tg.SUBCATEGORIES:
            code = next(c for c in tg.SUBCATEGORIES if c.startswith(code.split("-")[0]))
        title, text = tg.demand_text(rng, code)
        cat_attr, dept_attr = list(KINDS.values())[i % 3]
        d = ds.create_demand(
            disp,
            world.park,
            ds.Intake(
                title=title,
                description=text,
                channel="visit",
                enterprise_id=world.enterprise.pk,
                category_id=getattr(world, cat_attr).pk,
            ),
        )
        made.append((d, dept_attr))
    return world, made


def _dispatch_all(world, made, wrong_land: bool):
    disp = world.users["dispatcher"]
    for d, dept_attr in made:
        dept = getattr(world, dept_attr)
        if wrong_land and dept_attr == "dept_b":
            dept = world.dept_a  # history: land matters long sent to the wrong bureau
        ds.dispatch(disp, d, lead_department_id=dept.pk)


def test_corrections_retrain_activate_reject_and_rollback(
    ledger, django_capture_on_commit_callbacks
):
    world, made = ledger
    _dispatch_all(world, made, wrong_land=True)
    v1 = services.retrain(world.park, Target.DEPARTMENT)
    assert v1.activated and v1.version.status == VersionStatus.ACTIVE

    # Departments return the misrouted land matters; the dispatcher re-routes them.
    ha, disp = world.users["handler"], world.users["dispatcher"]
    with django_capture_on_commit_callbacks(execute=True):
        for d, dept_attr in made:
            if dept_attr != "dept_b":
                continue
            d = Demand.objects.get(pk=d.pk)
            d = ds.return_task(ha, d, reason="not_our_duty", note="用地报批属自然资源和规划分局")
            ds.redispatch(disp, d, department_id=world.dept_b.pk)
    assert Label.objects.filter(kind=LabelKind.RETURN).count() == 50
    assert Label.objects.filter(kind=LabelKind.REDISPATCH, department=world.dept_b).count() == 50

    v2 = services.retrain(world.park, Target.DEPARTMENT)
    assert v2.activated, v2.message
    assert v2.version.baseline_macro_f1 is not None
    assert v2.version.holdout_macro_f1 > v2.version.baseline_macro_f1
    v1.version.refresh_from_db()
    assert v1.version.status == VersionStatus.RETIRED

    # A model trained on scrambled labels is worse on the held-out ledger: kept out.
    texts, labels, _ = services.training_data(world.park, Target.DEPARTMENT)
    scrambled = labels[:]
    random.Random(1).shuffle(scrambled)
    v3 = services.retrain(world.park, Target.DEPARTMENT, data=(texts, scrambled))
    assert not v3.activated and v3.version.status == VersionStatus.REJECTED
    assert services.active(world.park, Target.DEPARTMENT).pk == v2.version.pk

    # Suggestion for a new land matter now points at the right bureau.
    title, text = tg.demand_text(random.Random(99), "land-supply")
    d = ds.create_demand(
        disp,
        world.park,
        ds.Intake(
            title=title, description=text, channel="hotline", enterprise_id=world.enterprise.pk
        ),
    )
    s = services.suggest(d)
    assert s.department == world.dept_b
    assert s.ranked["department"][0]["probability"] >= s.ranked["department"][-1]["probability"]

    # Rollback: administrators only.
    with pytest.raises(Forbidden):
        services.activate(world.users["dispatcher"], v1.version.pk, world.park)
    services.activate(world.users["admin"], v1.version.pk, world.park)
    assert services.active(world.park, Target.DEPARTMENT).pk == v1.version.pk
    assert ModelVersion.objects.filter(status=VersionStatus.ACTIVE).count() == 1


def test_automatic_dispatch_above_the_threshold(ledger, django_capture_on_commit_callbacks):
    world, made = ledger
    _dispatch_all(world, made, wrong_land=False)
    services.retrain(world.park, Target.DEPARTMENT)
    services.retrain(world.park, Target.CATEGORY)
    title, text = tg.demand_text(random.Random(5), "financing-loan")
    intake = ds.Intake(
        title=title, description=text, channel="api", enterprise_id=world.enterprise.pk
    )

    # Off by default: a suggestion, no dispatch.
    with django_capture_on_commit_callbacks(execute=True):
        d = ds.create_demand(world.users["dispatcher"], world.park, intake)
    d.refresh_from_db()
    assert d.status == "received"
    assert Suggestion.objects.get(demand=d).department == world.dept_a

    world.park.auto_dispatch_threshold = 0.3
    world.park.save()
    with django_capture_on_commit_callbacks(execute=True):
        d2 = ds.create_demand(world.users["dispatcher"], world.park, intake)
    d2 = Demand.objects.get(pk=d2.pk)
    assert d2.status == "dispatched" and d2.lead_department == world.dept_a
    ev = d2.events.get(action="dispatch")
    assert ev.actor.full_name == "智能分派" and "智能分派" in ev.note
    assert Suggestion.objects.get(demand=d2).auto_dispatched


def test_too_little_data_is_refused_with_a_message(world):
    from qinshang.errors import InvalidState

    with pytest.raises(InvalidState) as e:
        services.retrain(world.park, Target.CATEGORY)
    assert "不足" in e.value.message


def test_routing_eval_on_a_parks_ledger(ledger):
    from io import StringIO

    from django.core.management import call_command

    world, made = ledger
    _dispatch_all(world, made, wrong_land=False)
    out = StringIO()
    call_command("routing_eval", "--park", world.park.code, "--folds", "3", stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    assert last.startswith("macro_f1=") and " accuracy=" in last
    assert float(last.split()[0].split("=")[1]) > 0.8
