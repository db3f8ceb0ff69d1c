"""The machinery of the role × route × park matrix: list every route of the site, fill its path
from the scene, send one request and judge the answer against `permission_matrix.TABLE`."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from qinshang.tests.permission_matrix import ADMIN_SAMPLE, PARAMS, Rule

API_PREFIX = "/api/v1"
LOGIN = "/login/"


@dataclass(frozen=True)
class Route:
    key: str  # the key in TABLE
    template: str  # "/demands/<int:pk>/" or "/api/v1/demands/{demand_id}"
    method: str  # for an API operation; "" for a page (GET and POST are probed per its rule)

    @property
    def is_api(self) -> bool:
        return self.template.startswith(API_PREFIX + "/")


def _walk(resolver: URLResolver, prefix: str = "", ns: str = "") -> Iterator[tuple[str, str]]:
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            sub = ns + (p.namespace + ":" if p.namespace else "")
            yield from _walk(p, prefix + str(p.pattern), sub)
        elif isinstance(p, URLPattern):
            yield ns + (p.name or str(p.pattern)), "/" + prefix + str(p.pattern)


def site_routes() -> list[Route]:
    """Every page of the URL conf and every operation of the OpenAPI, once each."""
    return list(_site_routes())


# Built once per process: the URL conf and the OpenAPI do not change during a run, and building
# the OpenAPI for every sweep of the matrix was a tenth of the sweep's CPU.
@functools.cache
def _site_routes() -> tuple[Route, ...]:
    from qinshang.api import api

    openapi = api.get_openapi_schema()
    operations = {
        (path, method.upper())
        for path, methods in openapi["paths"].items()
        for method in methods
        if method in ("get", "post", "put", "patch", "delete")
    }
    api_paths = {path for path, _ in operations}
    routes: dict[str, Route] = {}
    for name, template in _walk(get_resolver()):
        if name.startswith("admin:"):
            routes.setdefault("admin:*", Route("admin:*", "/admin/", ""))
            continue
        as_api = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", template)
        if as_api in api_paths:
            continue  # an API operation: listed below, by method, from the OpenAPI
        routes[name] = Route(name, template, "")
    for path, method in sorted(operations):
        key = f"{method} {path}"
        routes[key] = Route(key, path, method)
    return tuple(sorted(routes.values(), key=lambda r: r.key))


def undeclared(table: dict[str, Rule]) -> tuple[list[str], list[str]]:
    """Routes without a line in `table`, and lines of `table` for routes that are gone."""
    routes = {r.key for r in site_routes()}
    return sorted(routes - table.keys()), sorted(table.keys() - routes)


def fill(route: Route, rule: Rule, ids: dict[str, int]) -> list[str]:
    """The concrete paths to request; the admin site is probed by a few of its pages."""
    if route.key == "admin:*":
        return list(ADMIN_SAMPLE)

    def value(name: str) -> str:
        if name in rule.values:
            got = rule.values[name]
            return str(ids[got]) if got in ids else got
        return str(ids[PARAMS[name]])

    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), route.template)
    path = re.sub(r"\{(\w+)\}", lambda m: value(m.group(1)), path)
    return [path]


def has_params(route: Route) -> bool:
    return bool(re.search(r"<[^>]+>|\{\w+\}", route.template))


def has_object(route: Route, rule: Rule, ids: dict[str, int]) -> bool:
    """Whether a path parameter names an object of the scene's park (a constant, such as the
    year of the national holiday schedule, names none)."""
    names = re.findall(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", route.template)
    for a, b in names:
        name = a or b
        if name not in rule.values or rule.values[name] in ids:
            return True
    return False


def send(client: Client, token: str | None, method: str, path: str, data=None):  # type: ignore[no-untyped-def]
    headers = (
        {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token and path.startswith("/api/") else {}
    )
    if method == "GET":
        return client.get(path, **headers)
    if path.startswith("/api/"):
        return client.post(path, data or {}, content_type="application/json", **headers)
    return client.post(path, data or {}, **headers)


def to_login(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302 and (
        response["Location"].startswith(LOGIN) or "/login/" in response["Location"]
    )
