"""Engine behaviour on small synthetic data: no reference data, no database."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.engine import FORMAT_VERSION, UNSURE, Decision, Prediction, TextRouter
from routing.tests._data import synthetic


@pytest.fixture(scope="module")
def router() -> TextRouter:
    texts, labels = synthetic(30)
    return TextRouter().fit(texts, labels)


def test_fit_predict_top_k_sorted_and_normalised(router):
    preds = router.predict(["银行贷款利率太高，希望贴息", "员工社保和工资问题"], k=3)
    assert [p[0].label for p in preds] == ["finance", "labour"]
    for row in preds:
        assert len(row) == 3
        assert all(isinstance(p, Prediction) for p in row)
        probs = [p.probability for p in row]
        assert probs == sorted(probs, reverse=True)
    full = router.predict_proba(["银行贷款利率太高"])
    assert full.shape == (1, 4)
    assert np.allclose(full.sum(axis=1), 1.0)


def test_k_is_clamped(router):
    assert len(router.predict(["发票"], k=99)[0]) == 4
    assert len(router.predict(["发票"], k=0)[0]) == 1


def test_probabilities_are_calibrated_not_extreme(router):
    # Clear cases are confident, an ambiguous one is not.
    clear = router.predict(["增值税发票纳税申报退税"], k=1)[0][0]
    mixed = router.predict(["贷款 招聘 土地 发票"], k=1)[0][0]
    assert clear.probability > 0.8
    assert mixed.probability < clear.probability
    assert router.metadata["calibrated"] is True


def test_explain_returns_words_of_the_text(router):
    text = "银行贷款利率太高，希望贴息，园区帮忙协调"
    terms = router.explain(text, "finance", n=5)
    assert 0 < len(terms) <= 5
    assert all(t in text for t, _ in terms)
    assert any(t in ("贷款", "银行", "贴息", "利率") or "贷" in t for t, _ in terms)
    weights = [w for _, w in terms]
    assert all(w > 0 for w in weights)
    assert router.explain(text, "no-such-label") == []
    assert router.explain("", "finance") == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t\u3000",
        "Please help, our factory has no electricity since Monday.",
        "😀🎉🔥💯" * 50,
        "园区" * 25000,  # 50,000 characters
        "x" * 50000,
        "<script>alert(1)</script>&lt;&gt;&#0;",
        None,
        12345,
    ],
)
def test_edge_inputs_never_raise(router, text):
    pred = router.predict([text], k=2)[0]
    assert len(pred) == 2 and 0.0 <= pred[0].probability <= 1.0
    d = router.decide(text)
    assert isinstance(d, Decision)
    router.explain(text, pred[0].label)


def test_unknown_content_is_unsure(router):
    for text in ["", "😀😀😀", "Hello world, nothing here."]:
        d = router.decide(text)
        assert d.unsure and d.route == UNSURE


def test_confident_message_is_routed(router):
    d = router.decide("税务局增值税发票退税和纳税申报的问题")
    assert d.label == "tax"
    if d.probability >= router.unsure_threshold:
        assert not d.unsure and d.route == "tax"


def test_save_load_path_and_file_object(router, tmp_path):
    path = tmp_path / "sub" / "model.joblib"
    router.save(path)
    loaded = TextRouter.load(path)
    buf = io.BytesIO()
    router.save(buf)
    from_buf = TextRouter.load(io.BytesIO(buf.getvalue()))
    from_bytes = TextRouter.load(buf.getvalue())
    text = ["园区厂房用地规划红线问题"]
    expected = router.predict_proba(text)
    for other in (loaded, from_buf, from_bytes):
        assert np.allclose(other.predict_proba(text), expected)
        assert other.classes_ == router.classes_
        assert other.unsure_threshold == router.unsure_threshold
    meta = loaded.metadata
    assert meta["format_version"] == FORMAT_VERSION
    assert meta["labels"] == ["finance", "labour", "land", "tax"]
    assert meta["n_samples"] == 120
    assert "scikit-learn" in meta["versions"] and "trained_at" in meta
    assert meta["params"]["C"] == router.params.C


def test_load_rejects_foreign_and_future_files(tmp_path):
    import joblib

    joblib.dump({"hello": 1}, tmp_path / "a")
    with pytest.raises(ValueError):
        TextRouter.load(tmp_path / "a")
    joblib.dump({"format": "qinshang-routing-model", "format_version": 999}, tmp_path / "b")
    with pytest.raises(ValueError):
        TextRouter.load(tmp_path / "b")


def test_unfitted_router_says_so():
    with pytest.raises(RuntimeError):
        TextRouter().predict(["x"])


def test_skewed_and_tiny_classes():
    texts, labels = synthetic(60)
    keep = [i for i, y in enumerate(labels) if y != "land"] + [
        i for i, y in enumerate(labels) if y == "land"
    ][:8]
    texts = [texts[i] for i in keep] + ["增值税发票"]
    labels = [labels[i] for i in keep] + ["one-off"]  # a label seen exactly once
    r = TextRouter().fit(texts, labels)
    assert "one-off" in r.classes_ and "land" in r.classes_
    assert r.predict(["厂房用地规划红线不动产证"], k=1)[0][0].label == "land"
    probs = r.predict_proba(["增值税发票"])[0]
    assert np.all(np.isfinite(probs)) and np.isclose(probs.sum(), 1.0)


def test_two_classes_and_single_class():
    texts, labels = synthetic(10)
    two = [(t, y) for t, y in zip(texts, labels, strict=True) if y in ("tax", "land")]
    r = TextRouter().fit([t for t, _ in two], [y for _, y in two])
    assert r.predict(["退税发票"], k=1)[0][0].label == "tax"
    assert len(r.predict(["退税发票"], k=5)[0]) == 2
    one = TextRouter().fit(["退税", "发票"], ["tax", "tax"])
    assert one.predict(["anything"], k=3)[0] == [Prediction("tax", 1.0)]


def test_very_small_training_sets_do_not_crash():
    r = TextRouter().fit(["退税", "招聘", "贷款"], ["tax", "labour", "finance"])
    assert r.predict(["退税问题"], k=1)[0][0].label == "tax"
    assert r.metadata["calibrated"] is False
    with pytest.raises(ValueError):
        TextRouter().fit([], [])
    with pytest.raises(ValueError):
        TextRouter().fit(["a"], ["x", "y"])


def test_empty_training_texts_do_not_crash():
    r = TextRouter().fit(["", "", "发票"], ["a", "b", "a"])
    assert len(r.predict([""], k=2)[0]) == 2


def test_label_descriptions_help_unseen_words():
    texts, labels = synthetic(20)
    desc = {"tax": ["关税 海关 报关"], "ghost": ["never trained"]}
    r = TextRouter(describe_unseen=False).fit(texts, labels, label_descriptions=desc)
    assert r.predict(["海关报关关税"], k=1)[0][0].label == "tax"
    assert "ghost" not in r.classes_
    assert r.metadata["n_descriptions"] == 1


def test_a_label_with_duties_and_no_case_is_suggested_on_its_duties():
    texts, labels = synthetic(20)
    desc = {"消防救援大队": ["消防安全检查", "火灾隐患整改", "消防验收"]}
    r = TextRouter().fit(texts, labels, label_descriptions=desc)
    assert "消防救援大队" in r.classes_
    assert r.metadata["described_only"] == ["消防救援大队"]
    top = r.predict(["厂房消防验收什么时候能通过，火灾隐患整改已完成"], k=1)[0][0]
    assert top.label == "消防救援大队"
    # An ordinary message still goes where past cases say.
    assert r.predict(["增值税发票 退税 纳税申报"], k=1)[0][0].label == "tax"
    # Without the label texts the unit cannot be suggested at all.
    plain = TextRouter(describe_unseen=False).fit(texts, labels, label_descriptions=desc)
    assert "消防救援大队" not in plain.classes_


def test_label_names_count_as_descriptions():
    texts, labels = synthetic(20)
    named = [{"tax": "税务局", "labour": "人力资源和社会保障局"}.get(y, y) for y in labels]
    r = TextRouter().fit(texts, named)
    assert r.metadata["n_descriptions"] >= 2  # the two names (codes like "land" do not count)
    off = TextRouter(label_names=False).fit(texts, named)
    assert off.metadata["n_descriptions"] == 0


def test_prior_correction_is_chosen_and_kept(tmp_path):
    texts, labels = synthetic(20)
    r = TextRouter().fit(texts, labels)
    assert r.metadata["prior_alpha"] in (0.0, 0.25, 0.5, 0.75, 1.0)
    r.save(tmp_path / "m.joblib")
    again = TextRouter.load(tmp_path / "m.joblib")
    assert np.allclose(again.predict_proba(texts[:5]), r.predict_proba(texts[:5]))


def test_labels_are_strings():
    r = TextRouter().fit(["退税", "发票", "招聘", "工资"] * 5, [1, 1, 2, 2] * 5)
    assert r.classes_ == ["1", "2"]


def test_single_message_latency(router):
    texts, _ = synthetic(5, seed=9)
    for t in texts[:5]:
        router.predict([t])
    times = []
    for t in texts:
        t0 = time.perf_counter()
        router.predict([t], k=3)
        times.append(time.perf_counter() - t0)
    assert np.median(times) < 0.005


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_any_text_gets_an_answer(router, text):
    pred = router.predict([text], k=1)[0][0]
    assert pred.label in router.classes_
    assert 0.0 <= pred.probability <= 1.0
