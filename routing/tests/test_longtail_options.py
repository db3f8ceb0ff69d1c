"""The long-tail options of the engine that were measured and left off by default
(docs/benchmarks.md, "Routing on a long tail"): they must still work, so that the bench can
repeat the measurement, and each must do what it claims on a tiny synthetic long tail."""

from __future__ import annotations

import random

import numpy as np
import pytest

from routing.engine import TextRouter
from routing.tests._data import FILLER, TOPICS

FINANCE = ["银行贷款的利率", "融资担保和授信", "银行融资贷款"]


def long_tail(seed: int = 0, sizes: tuple[int, ...] = (80, 40, 20, 3)):
    """tax 80, labour 40, land 20, finance 3 messages; each carries one word of a random
    topic, so the head's words also turn up in the tail's messages."""
    rng = random.Random(seed)
    texts, labels = [], []
    vocabs = list(TOPICS.values())
    for (label, vocab), n in zip(TOPICS.items(), sizes, strict=True):
        for _ in range(n):
            parts = rng.sample(vocab, 2) + rng.sample(FILLER, 4) + [rng.choice(rng.choice(vocabs))]
            rng.shuffle(parts)
            texts.append("，".join(parts) + "。")
            labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def tail():
    return long_tail()


def test_centroid_voter_speaks_for_a_class_with_three_cases(tail):
    texts, labels = tail
    plain = TextRouter().fit(texts, labels)
    voted = TextRouter(centroid_weight=1.0).fit(texts, labels)
    got_plain = [p[0].label for p in plain.predict(FINANCE, k=1)]
    got_voted = [p[0].label for p in voted.predict(FINANCE, k=1)]
    # The SVM alone leaves most of the 3-case class's obvious texts to bigger classes;
    # its centroid, which needs no learnt margin, wins them back.
    assert got_voted.count("finance") > got_plain.count("finance")
    assert got_voted.count("finance") == len(FINANCE)


def test_class_weight_power_one_is_balanced(tail):
    texts, labels = tail
    a = TextRouter().fit(texts, labels)
    b = TextRouter(class_weight_power=1.0 + 1e-12).fit(texts, labels)  # the explicit dict path
    assert np.allclose(a.predict_proba(texts[:20]), b.predict_proba(texts[:20]), atol=1e-4)
    flat = TextRouter(class_weight_power=0.0).fit(texts, labels)
    assert not np.allclose(a._coef, flat._coef)


@pytest.mark.parametrize(
    "option",
    [
        {"centroid_weight": 0.5},
        {"nb_weight": 1.0},
        {"class_bias": True},
        {"class_weight_power": 0.5},
    ],
)
def test_options_fit_predict_and_round_trip(tail, option, tmp_path):
    texts, labels = tail
    r = TextRouter(**option).fit(texts, labels)
    probs = r.predict_proba(texts[:10])
    assert probs.shape == (10, 4)
    assert np.allclose(probs.sum(axis=1), 1.0)
    r.save(tmp_path / "m.joblib")
    again = TextRouter.load(tmp_path / "m.joblib")
    assert np.allclose(again.predict_proba(texts[:10]), probs)
    assert again.params.__dict__ == r.params.__dict__


def test_class_bias_never_lowers_the_out_of_fold_objective(tail):
    texts, labels = tail
    base = TextRouter().fit(texts, labels).metadata["cv_estimate"]
    biased = TextRouter(class_bias=True).fit(texts, labels).metadata["cv_estimate"]
    # The biases are kept only when they raise macro-F1 + accuracy on the same decisions.
    assert biased["macro_f1"] + biased["accuracy"] >= base["macro_f1"] + base["accuracy"] - 1e-9
