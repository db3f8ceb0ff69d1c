"""Smart routing in the product: suggestions at intake, automatic dispatch above a park's
threshold, labels from every correction and 退单, retraining from the park's own ledger with a
held-out comparison, activation only of a better model, and rollback.

The text model itself lives in routing.engine (no Django); this module connects it to the ledger.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from demands import services as ds
from demands.models import Category, Demand, Event, Status, TaskRole
from orgs.models import Department, Park, Role, User
from qinshang.errors import Forbidden, InvalidInput, InvalidState, NotFound, ServiceError
from routing import textnorm
from routing.models import Label, LabelKind, ModelVersion, Suggestion, Target, VersionStatus

log = logging.getLogger(__name__)

MIN_TRAINING_SAMPLES = 30
HOLDOUT_SHARE = 0.2
BOT_USERNAME = "routing-bot-{code}"


# --------------------------------------------------------------------------- training data


def demand_text(demand: Demand) -> str:
    ent = demand.enterprise if demand.enterprise_id else None
    return _with_fields(
        demand.title, demand.description, demand.community, ent.industry if ent else ""
    )


def _with_fields(title: str, description: str, community: str, industry: str) -> str:
    """The message plus the structured fields the ledger has at intake, as marked tokens the
    character model learns like words: the place (村/社区) and the enterprise's industry
    (GB/T 4754 大类). The category is left out: at intake it is usually not chosen yet."""
    text = f"{title}\n{description}"
    extra = " ".join(
        v
        for v in (
            (f"〔社区{community}〕" if community else ""),
            (f"〔行业{industry}〕" if industry else ""),
        )
        if v
    )
    return f"{text}\n{extra}" if extra else text


def training_data(park: Park, target: str) -> tuple[list[str], list[str], list[int]]:
    """Texts and labels the park's ledger teaches: the category a dispatcher settled on, and
    the department that finally led the work (after any 退单 and re-route)."""
    qs = Demand.objects.filter(park=park).exclude(status__in=[Status.RECEIVED, Status.MERGED])
    if target == Target.CATEGORY:
        rows = qs.filter(category__isnull=False).values_list(
            "pk", "title", "description", "community", "enterprise__industry", "category__code"
        )
    elif target == Target.DEPARTMENT:
        rows = (
            qs.exclude(status=Status.RETURNED)
            .filter(lead_department__isnull=False)
            .values_list(
                "pk",
                "title",
                "description",
                "community",
                "enterprise__industry",
                "lead_department__code",
            )
        )
    else:
        raise InvalidInput(f"未知的预测对象“{target}”")
    ids, texts, labels = [], [], []
    for pk, title, desc, community, industry, label in rows.order_by("pk"):
        ids.append(pk)
        texts.append(_with_fields(title, desc, community or "", industry or ""))
        labels.append(label)
    return texts, labels, ids


def label_texts(park: Park, target: str) -> dict[str, list[str]]:
    """What each label is about, keyed like training_data's labels: a department's name, its
    duties and whatever routing.signals.LABEL_TEXTS providers add (权责清单 entries); a
    category's name with its parent's. Labels with texts but no past case can still be
    suggested (routing.engine: describe_unseen)."""
    from routing.signals import LABEL_TEXTS

    out: dict[str, list[str]] = {}
    if target == Target.DEPARTMENT:
        depts = {
            d.pk: d
            for d in Department.objects.filter(park=park, is_active=True, is_dispatch_centre=False)
        }
        for d in depts.values():
            texts = [d.name] + [t for t in d.duties.replace("；", "、").split("、") if t.strip()]
            out[d.code] = [t.strip() for t in texts if t.strip()]
        for provider in LABEL_TEXTS:
            try:
                extra = provider(park)
            except Exception:  # a failing provider must not block retraining
                log.exception("label text provider %r failed", provider)
                continue
            for pk, texts in extra.items():
                if pk in depts:
                    out[depts[pk].code].extend(str(t) for t in texts if str(t).strip())
    elif target == Target.CATEGORY:
        for c in Category.objects.filter(park=park, parent__isnull=False).select_related("parent"):
            out[c.code] = [c.name] + ([f"{c.parent.name} {c.name}"] if c.parent else [])
    return out


def split_holdout(
    labels: list[str], share: float = HOLDOUT_SHARE, seed: int = 0
) -> tuple[list[int], list[int]]:
    """Stratified split; a label with a single example stays in training."""
    rng = random.Random(seed)
    by_label: dict[str, list[int]] = {}
    for i, y in enumerate(labels):
        by_label.setdefault(y, []).append(i)
    train, hold = [], []
    for idx in by_label.values():
        rng.shuffle(idx)
        k = int(round(len(idx) * share)) if len(idx) >= 3 else 0
        hold += idx[:k]
        train += idx[k:]
    return sorted(train), sorted(hold)


def score(router: Any, texts: list[str], labels: list[str]) -> tuple[float, float]:
    from sklearn.metrics import accuracy_score, f1_score

    predicted = [p[0].label if p else "" for p in router.predict(texts, k=1)]
    return (
        float(f1_score(labels, predicted, average="macro", zero_division=0)),
        float(accuracy_score(labels, predicted)),
    )


# --------------------------------------------------------------------------- model store

_cache: dict[int, Any] = {}
_cache_lock = threading.Lock()


def load(version: ModelVersion) -> Any:
    from routing.engine import TextRouter

    with _cache_lock:
        hit = _cache.get(version.pk)
    if hit is not None:
        return hit
    with version.file.open("rb") as fh:
        router = TextRouter.load(fh)
    with _cache_lock:
        _cache[version.pk] = router
    return router


def active(park: Park, target: str) -> ModelVersion | None:
    return ModelVersion.objects.filter(
        park=park, target=target, status=VersionStatus.ACTIVE
    ).first()


@dataclass
class TrainingReport:
    version: ModelVersion
    activated: bool
    message: str


def retrain(
    park: Park,
    target: str,
    *,
    actor: User | None = None,
    seed: int = 0,
    data: tuple[list[str], list[str]] | None = None,
) -> TrainingReport:
    """Train a candidate on the ledger, compare it on held-out items with the model in use,
    and activate it only when it scores better. `data` replaces the ledger (tests, imports)."""
    from routing.engine import TextRouter

    if data is None:
        texts, labels, _ = training_data(park, target)
    else:
        texts, labels = data
    if len(texts) < MIN_TRAINING_SAMPLES or len(set(labels)) < 2:
        raise InvalidState(
            f"可用于训练的已办结诉求不足（{len(texts)} 条，{len(set(labels))} 类），"
            f"至少需要 {MIN_TRAINING_SAMPLES} 条、2 类"
        )
    train_idx, hold_idx = split_holdout(labels, seed=seed)
    router = TextRouter().fit(
        [texts[i] for i in train_idx],
        [labels[i] for i in train_idx],
        label_descriptions=label_texts(park, target),
    )
    hold_texts = [texts[i] for i in hold_idx]
    hold_labels = [labels[i] for i in hold_idx]
    f1, acc = score(router, hold_texts, hold_labels)
    current = active(park, target)
    baseline = None
    if current is not None:
        try:
            baseline = score(load(current), hold_texts, hold_labels)[0]
        except Exception:  # an unreadable old file must not block a new model
            log.exception("scoring the active model failed")
            baseline = None
    better = baseline is None or f1 > baseline
    with transaction.atomic():
        number = (
            ModelVersion.objects.filter(park=park, target=target).aggregate(m=Max("version"))["m"]
            or 0
        ) + 1
        version = ModelVersion(
            park=park,
            target=target,
            version=number,
            status=VersionStatus.CANDIDATE,
            trained_at=timezone.now(),
            n_train=len(train_idx),
            n_holdout=len(hold_idx),
            holdout_macro_f1=f1,
            holdout_accuracy=acc,
            baseline_macro_f1=baseline,
            labels=sorted(set(labels)),
        )
        import io

        buf = io.BytesIO()
        router.save(buf)
        version.file.save(f"{target}-v{number}.joblib", ContentFile(buf.getvalue()), save=False)
        version.save()
        if better:
            _activate(
                version,
                actor,
                note="留出集评分优于现用模型" if baseline is not None else "首个模型",
            )
        else:
            version.status = VersionStatus.REJECTED
            version.note = f"留出集 macro-F1 {f1:.4f} 不高于现用模型 {baseline:.4f}，未启用"
            version.save()
    with _cache_lock:
        _cache[version.pk] = router
    msg = (
        f"{version} 已启用（macro-F1 {f1:.4f}" + (f"，原 {baseline:.4f}）" if baseline else "）")
        if better
        else version.note
    )
    return TrainingReport(version, better, msg)


def _activate(version: ModelVersion, actor: User | None, note: str = "") -> None:
    ModelVersion.objects.filter(
        park=version.park, target=version.target, status=VersionStatus.ACTIVE
    ).exclude(pk=version.pk).update(status=VersionStatus.RETIRED)
    version.status = VersionStatus.ACTIVE
    version.activated_at = timezone.now()
    version.activated_by = actor
    if note:
        version.note = note
    version.save()


def activate(actor: User, version_id: int, park: Park) -> ModelVersion:
    """Roll back (or forward) to a stored version; administrators only."""
    if actor.role != Role.ADMIN and not actor.is_superuser:
        raise Forbidden("只有系统管理员可以切换分派模型版本")
    version = ModelVersion.objects.filter(pk=version_id, park=park).first()
    if version is None:
        raise NotFound("模型版本不存在")
    if not version.file.name or not version.file.storage.exists(version.file.name):
        raise InvalidState("模型文件已丢失，不能启用")
    with transaction.atomic():
        _activate(version, actor, note=f"由 {actor.display_name} 手动启用")
    return version


# --------------------------------------------------------------------------- suggestions


def _bot(park: Park) -> User:
    """The account automatic dispatches are recorded under, so the timeline says who did it."""
    user, _ = User.objects.get_or_create(
        username=BOT_USERNAME.format(code=park.code),
        defaults={
            "role": Role.DISPATCHER,
            "park": park,
            "full_name": "智能分派",
            "is_active": False,
        },
    )
    return user


def suggestion_for(demand: Demand) -> Suggestion | None:
    """The stored suggestion the demand page's dispatch form proposes (demands.signals hook)."""
    return Suggestion.objects.filter(demand=demand).select_related("category", "department").first()


def suggest(demand: Demand, *, allow_auto: bool = True) -> Suggestion | None:
    """Suggest category, lead department and time limit; dispatch automatically when the park
    allows it and both predictions are at least as confident as its threshold."""
    park = demand.park
    cat_model = active(park, Target.CATEGORY)
    dept_model = active(park, Target.DEPARTMENT)
    if cat_model is None and dept_model is None:
        return None
    text = demand_text(demand)
    ranked: dict[str, list[dict[str, Any]]] = {}
    explanation: dict[str, list[str]] = {}
    cats = {c.code: c for c in Category.objects.filter(park=park, parent__isnull=False)}
    depts = {d.code: d for d in Department.objects.filter(park=park, is_active=True)}
    category, cat_conf = demand.category, 1.0 if demand.category else 0.0
    if cat_model is not None:
        router = load(cat_model)
        preds = router.predict([text], k=3)[0]
        ranked["category"] = [
            {
                "code": p.label,
                "name": str(cats[p.label]) if p.label in cats else p.label,
                "probability": round(float(p.probability), 4),
            }
            for p in preds
        ]
        if demand.category is None and preds and preds[0].label in cats:
            category, cat_conf = cats[preds[0].label], float(preds[0].probability)
        elif demand.category is not None and preds:
            cat_conf = next(
                (float(p.probability) for p in preds if p.label == demand.category.code), 0.0
            )
        if preds:
            explanation["category_terms"] = _explain(router, text, preds[0].label)
            explanation["category"] = readable_reason(text, explanation["category_terms"])
    department, dept_conf = None, 0.0
    if dept_model is not None:
        router = load(dept_model)
        preds = router.predict([text], k=3)[0]
        ranked["department"] = [
            {
                "code": p.label,
                "name": depts[p.label].name if p.label in depts else p.label,
                "id": depts[p.label].pk if p.label in depts else None,
                "probability": round(float(p.probability), 4),
            }
            for p in preds
        ]
        if preds and preds[0].label in depts:
            department, dept_conf = depts[preds[0].label], float(preds[0].probability)
            explanation["department_terms"] = _explain(router, text, preds[0].label)
            explanation["department"] = readable_reason(text, explanation["department_terms"])
    if department is None and category is not None and category.default_department_id:
        department, dept_conf = category.default_department, cat_conf
    threshold = park.auto_dispatch_threshold
    sure = threshold is not None and min(cat_conf, dept_conf) >= threshold
    suggestion, _ = Suggestion.objects.update_or_create(
        demand=demand,
        defaults={
            "category": category,
            "category_confidence": cat_conf,
            "department": department,
            "department_confidence": dept_conf,
            "time_limit_days": category.time_limit_days if category else None,
            "ranked": ranked,
            "explanation": explanation,
            "versions": {
                "category": cat_model.version if cat_model else None,
                "department": dept_model.version if dept_model else None,
            },
            "unsure": not sure,
        },
    )
    if (
        allow_auto
        and sure
        and department is not None
        and category is not None
        and demand.status == Status.RECEIVED
    ):
        try:
            ds.dispatch(
                _bot(park),
                demand,
                lead_department_id=department.pk,
                co_department_ids=list(
                    category.default_co_departments.exclude(pk=department.pk).values_list(
                        "pk", flat=True
                    )
                ),
                category_id=category.pk,
                note=f"智能分派：类别置信度 {cat_conf:.0%}，部门置信度 {dept_conf:.0%}，"
                f"高于本园区自动派单阈值 {threshold:.0%}",
            )
            suggestion.auto_dispatched = True
            suggestion.save(update_fields=["auto_dispatched"])
        except ServiceError:
            log.exception("automatic dispatch of %s failed", demand.number)
    return suggestion


def _explain(router: Any, text: str, label: str) -> list[str]:
    try:
        return [str(w) for w, _ in router.explain(text, label, n=8)]
    except Exception:
        return []


def readable_reason(text: str, fragments: list[str], n: int = 5) -> list[str]:
    """The words of the demand's own text that hold the model's strongest fragments, in the
    fragments' order: a dispatcher reads "贷款、数控机床", not "贷款、机、床 数"."""
    toks = [
        w
        for w in textnorm.words(textnorm.normalize(text))
        if len(w) >= 2 and w not in textnorm.PLACEHOLDERS
    ]
    out: list[str] = []
    for f in (f.strip().lower() for f in fragments):
        if not f:
            continue
        word = next((w for w in toks if f in w or (len(f) >= 2 and w in f)), None)
        if word is not None and word not in out:
            out.append(word)
        if len(out) >= n:
            break
    return out


# --------------------------------------------------------------------------- labels


def record_label(event: Event) -> Label | None:
    """Keep what the dispatcher and departments decided as training and evaluation labels."""
    demand = event.demand
    kind = None
    department_id = None
    if event.action == "dispatch":
        lead = demand.tasks.filter(role=TaskRole.LEAD).order_by("-id").first()
        department_id = lead.department_id if lead else None
        s = Suggestion.objects.filter(demand=demand).first()
        corrected = s is not None and (
            s.department_id != department_id or (s.category_id != demand.category_id)
        )
        kind = LabelKind.CORRECTION if corrected else LabelKind.DISPATCH
    elif event.action == "return" and event.task_id:
        kind = LabelKind.RETURN
        department_id = event.task.department_id if event.task else None
    elif event.action == "redispatch":
        new = demand.tasks.order_by("-id").first()
        if new is None or new.pk == event.task_id:
            return None
        kind = LabelKind.REDISPATCH
        department_id = new.department_id
    if kind is None:
        return None
    return Label.objects.create(
        park_id=demand.park_id,
        demand=demand,
        kind=kind,
        category_id=demand.category_id,
        department_id=department_id,
        event=event,
        created_at=event.created_at,
    )


def routing_accuracy(park: Park, since: dt.datetime | None = None) -> dict[str, float | int]:
    """How often the suggested lead department was the one that finally led (no 退单)."""
    qs = Suggestion.objects.filter(demand__park=park, demand__lead_department__isnull=False)
    if since:
        qs = qs.filter(created_at__gte=since)
    rows = list(qs.values_list("department_id", "demand__lead_department_id", "auto_dispatched"))
    n = len(rows)
    right = sum(1 for s, t, _ in rows if s == t)
    return {
        "suggested": n,
        "correct": right,
        "accuracy": right / n if n else 0.0,
        "auto_dispatched": sum(1 for *_, a in rows if a),
    }


def set_threshold(actor: User, park: Park, raw: Any) -> float | None:
    """Turn automatic dispatch on (a confidence between 0.5 and 1) or off (empty); admins only."""
    if actor.role != Role.ADMIN and not actor.is_superuser:
        raise Forbidden("只有系统管理员可以设置自动派单阈值")
    text = "" if raw is None else str(raw).strip()
    value: float | None = None
    if text:
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if not 0.5 <= value <= 1.0:
            raise InvalidInput("阈值应为 0.5 到 1 之间的小数，例如 0.9；留空表示关闭自动派单")
    with transaction.atomic():
        Park.objects.filter(pk=park.pk).update(auto_dispatch_threshold=value)
        park.auto_dispatch_threshold = value
    log.info("auto-dispatch threshold of %s set to %s by %s", park.code, value, actor.username)
    return value
