"""A demo-sized park for the liaison tests: ~1,200 market entities and ~500 staff in 27
departments, as in 湘潭经开区 (the seed article), written with bulk_create in well under a second.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from demo import textgen
from entities.models import EntityKind, MarketEntity
from orgs.models import Department, Park, Role, User

# Which industries each kind of department knows (门类 letters), for industry matching.
_DEPT_INDUSTRIES = {
    "bureau": "C,I,M",
    "office": "",
    "dispatch": "C,F",
    "branch": "C,F,L",
    "territorial": "F,H,O,E",
    "company": "E,K,D",
}


@dataclass
class DemoPark:
    park: Park
    departments: list[Department]
    staff: list[User]
    entities: list[MarketEntity]
    dispatcher: User
    dept_industries: dict[int, str]


def build_demo_park(
    seed: int = 7, *, n_staff: int = 500, code: str = "demo", counts: dict[str, int] | None = None
) -> DemoPark:
    rng = random.Random(seed)
    park = Park.objects.create(name=f"演示经开区{code}", short_name="演示", code=code)
    depts = Department.objects.bulk_create(
        [
            Department(
                park=park,
                name=d.name,
                code=d.code,
                is_dispatch_centre=(d.kind == "dispatch"),
                sort=i,
            )
            for i, d in enumerate(textgen.DEPARTMENTS)
        ]
    )
    kinds = {d.code: d.kind for d in textgen.DEPARTMENTS}
    dept_ind = {d.pk: _DEPT_INDUSTRIES.get(kinds[d.code], "") for d in depts}
    users = []
    phones: set[str] = set()
    for i in range(n_staff):
        # ~2 % park leaders, ~18 % 科级以上 (department heads and deputies), the rest staff.
        rank = 1 if i < n_staff // 50 else (2 if i < n_staff // 5 else 3)
        role = {1: Role.LEADER, 2: Role.DEPARTMENT_HEAD, 3: Role.LIAISON}[rank]
        dept = None if rank == 1 else depts[i % len(depts)]
        phone = textgen.mobile_number(rng)
        while phone in phones:
            phone = textgen.mobile_number(rng)
        phones.add(phone)
        users.append(
            User(
                username=f"{code}-s{i:04d}",
                password="!",
                role=role,
                rank=rank,
                park=park,
                department=dept,
                phone=phone,
                full_name=textgen.person_name(rng),
            )
        )
    dispatcher = User(
        username=f"{code}-disp",
        role=Role.DISPATCHER,
        rank=3,
        park=park,
        department=depts[0],
        full_name="调度员",
        password="!",
    )
    users.append(dispatcher)
    User.objects.bulk_create(users)
    staff = list(User.objects.filter(park=park).exclude(pk=dispatcher.pk).order_by("pk"))
    dispatcher = User.objects.get(username=f"{code}-disp")
    made = textgen.make_entities(rng, counts)
    ents = []
    for e in made:
        tier = 2 if e.kind in (EntityKind.ABOVE_SCALE, EntityKind.PROJECT) else 3
        if e.kind == EntityKind.ABOVE_SCALE and (e.revenue_wan or 0) > 0 and rng.random() < 0.18:
            tier = 1
        ents.append(
            MarketEntity(
                park=park,
                name=e.name,
                credit_code=e.credit_code,
                kind=e.kind,
                tier=tier,
                industry=e.industry,
                address=e.address,
            )
        )
    MarketEntity.objects.bulk_create(ents)
    entities = list(MarketEntity.objects.filter(park=park).order_by("pk"))
    return DemoPark(park, list(depts), staff, entities, dispatcher, dept_ind)
