"""What the knowledge base adds to the ledger's pages and follows of its events, registered from
AppConfig.ready: the ledger imports nothing of this app."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from demands import signals as ledger_signals
from demands.models import Demand, Event
from demands.services import event_written
from orgs.models import Role
from routing import signals as routing_signals

STAFF_INTAKE = (Role.DISPATCHER, Role.ADMIN, Role.LIAISON, Role.LEADER)
PANEL_ROLES = (
    Role.DISPATCHER,
    Role.ADMIN,
    Role.LIAISON,
    Role.LEADER,
    Role.HANDLER,
    Role.DEPARTMENT_HEAD,
)
# Events after which a demand carries an answer worth finding again.
ANSWER_EVENTS = {"resolve_on_spot", "reply", "decide_answer", "confirm", "close", "reopen"}


def demand_panel(user: Any, demand: Demand) -> str | None:
    if user.role not in PANEL_ROLES:
        return None
    return reverse("knowledge:demand_panel", args=[demand.pk])


def intake_panel(user: Any) -> str | None:
    if user.role in (Role.ENTERPRISE, Role.RESIDENT):
        return reverse("knowledge:portal_panel")
    if user.role in STAFF_INTAKE:
        return reverse("knowledge:intake_panel")
    return None


def on_event(sender: Any, event: Event, **kwargs: Any) -> None:
    from knowledge import services

    if event.action == "resolve_on_spot":
        services.link_answer(event)
    if event.action in ANSWER_EVENTS:
        d = Demand.objects.filter(pk=event.demand_id).first()
        if d is not None:
            if d.status in services.ANSWERED and d.answer.strip():
                services.index_demand(d)
            else:
                services.search.remove("demand", [d.pk])


def install() -> None:
    if demand_panel not in ledger_signals.DEMAND_PANELS:
        ledger_signals.DEMAND_PANELS.append(demand_panel)
    if intake_panel not in ledger_signals.INTAKE_PANELS:
        ledger_signals.INTAKE_PANELS.append(intake_panel)
    event_written.connect(on_event, dispatch_uid="knowledge.on_event")
    # Routing learns each department's duties from its 权责清单 entries as well as its name.
    from knowledge.services import duty_texts

    if duty_texts not in routing_signals.LABEL_TEXTS:
        routing_signals.LABEL_TEXTS.append(duty_texts)
