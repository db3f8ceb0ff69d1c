"""Routing engine: which label (category, department) a Chinese message belongs to, with
calibrated probabilities, an explicit "unsure" verdict and explanations. No Django here.

Model: character 1–3-gram TF-IDF (sublinear tf) of the normalised text, optionally with jieba word
features, and a class-balanced linear SVM. Probabilities come from one-vs-rest Platt scaling fitted
on out-of-fold decision values, so a probability of 0.9 means "right about 9 times in 10" on
messages like the training ones. Cross-validation on the government message set
(../shared/data/gov_messages.csv) chose this over word n-grams, word+char unions, logistic
regression, complement naive Bayes, NB-SVM, LSA features, head/title weighting and ensembles of
those: none beat char 1–3 + LinearSVC by more than noise, most were worse (see bench/routing.py).
On a thinned long tail (bench/routing_longtail.py) multinomial logistic regression, SGD, jieba
words beside the characters, a soft vote of a char and a word model and random crops for small
classes did not beat it either; they stay as options, off.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import platform
import re
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import scipy.sparse as sp

from routing.textnorm import MAX_CHARS, PLACEHOLDERS, normalize, words

FORMAT = "qinshang-routing-model"
FORMAT_VERSION = 1
# Returned by decide() in place of a label when a message should go to a person.
UNSURE = "__unsure__"
PRIOR_ALPHAS = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class Prediction:
    label: str
    probability: float


@dataclass(frozen=True)
class Decision:
    """The top label, whether it is safe to act on it without a person, and the runners-up."""

    label: str
    probability: float
    unsure: bool
    candidates: tuple[Prediction, ...]

    @property
    def route(self) -> str:
        return UNSURE if self.unsure else self.label


@dataclass
class RouterParams:
    char_ngrams: tuple[int, int] = (1, 3)
    # Below this many training messages min_df falls back to 1 (small parks, tests).
    char_min_df: int = 2
    # jieba word unigrams next to the characters; 0 turns them off. Off by default: they cost
    # training time and did not improve cross-validated macro-F1 on the reference data.
    word_weight: float = 0.0
    C: float = 1.0
    calibration_folds: int = 5
    # Messages whose top probability reaches the threshold are routed without a person; the
    # threshold is chosen at fit time so that out-of-fold accuracy above it is target_accuracy.
    target_accuracy: float = 0.98
    unsure_threshold: float | None = None
    min_auto_support: int = 10
    # Weight of label descriptions (department remits, taxonomy paths) used as extra examples.
    description_weight: float = 0.3
    # The label's own name counts as one of its descriptions (unit names say a lot: 交警支队).
    label_names: bool = True
    # Labels that have descriptions but no message yet become classes (suggested on their
    # duties alone); off, they are ignored as before.
    describe_unseen: bool = True
    # Classes with fewer out-of-fold positives than this share one pooled Platt mapping
    # (hierarchical back-off): a rare class's own fit is too noisy and drowns it.
    pooled_calibration_below: int = 1
    # Calibrated probabilities carry each class's share of past cases, which buries the long
    # tail. They are divided by prior**alpha; alpha (None: chosen on the out-of-fold decisions
    # to maximise macro-F1 + accuracy over PRIOR_ALPHAS) trades head accuracy for tail recall.
    prior_alpha: float | None = None
    # Weight of the cosine similarity between a message and each label's description texts,
    # added to the SVM decision (0 turns it off).
    similarity_weight: float = 0.0
    # The four options below were measured on a thinned long tail over three seeds and left
    # off: none beat the defaults (docs/benchmarks.md, "Routing on a long tail").
    # Class weights in the SVM are freq**-class_weight_power (1: scikit-learn's "balanced").
    class_weight_power: float = 1.0
    # Weight of each class's centroid (mean l2-normalised TF-IDF of its training messages and
    # texts) added to its SVM weights: a Rocchio voter, which needs no margin to be learnt and
    # so speaks for classes with a handful of cases (0 turns it off).
    centroid_weight: float = 0.0
    # Weight of complement naive Bayes log-weights (centred per feature) added to the SVM's.
    nb_weight: float = 0.0
    # Per-class additive biases on the log-probabilities, chosen on the out-of-fold decisions
    # (coordinate ascent, macro-F1 + accuracy), after the prior correction.
    class_bias: bool = False
    # The options below were measured on the long tail over three seeds and on the whole set
    # (issue 15 item 7, third round) and left off: none beat the default on both
    # (docs/benchmarks.md, "Other model families, a soft vote and crops").
    # The linear model: "svm" (LinearSVC, squared hinge, one-vs-rest), "lr" (multinomial
    # logistic regression, lbfgs) or "sgd" (SGDClassifier, modified Huber loss, one-vs-rest).
    # Each is class-balanced; its decision values go through the same Platt and prior steps.
    classifier: str = "svm"
    # With word features: train one model on the characters and one on the words and average
    # their decision values (a soft vote, still linear, so explanations keep working) instead
    # of one model on both blocks.
    view_vote: bool = False
    # Same objective either way; lbfgs was about 1.5 times faster than saga on the tail.
    lr_solver: str = "lbfgs"
    # Classes with fewer training messages than this get random crops of their messages
    # (contiguous runs of sentences or characters) as extra examples, up to this count.
    augment_below: int = 0
    augment_weight: float = 0.5
    max_chars: int = MAX_CHARS
    random_state: int = 0

    def __post_init__(self) -> None:
        self.char_ngrams = (int(self.char_ngrams[0]), int(self.char_ngrams[1]))


def _word_analyzer(text: str) -> list[str]:
    # Module-level so fitted vectorizers pickle.
    return words(text)


def _library_versions() -> dict[str, str]:
    import joblib
    import scipy
    import sklearn

    out = {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
    }
    try:
        import jieba

        out["jieba"] = getattr(jieba, "__version__", "?")
    except ImportError:  # jieba is only needed for word features
        pass
    return out


def _platt_fit(scores: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    """Platt scaling with his smoothed targets, which keep a class seen once or never from
    producing probabilities of exactly 0 or 1."""
    from scipy.optimize import minimize

    n_pos = float(target.sum())
    n_neg = float(len(target) - n_pos)
    t = np.where(target > 0, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))

    def loss(p: np.ndarray) -> tuple[float, np.ndarray]:
        z = p[0] * scores + p[1]
        q = 1.0 / (1.0 + np.exp(-z))
        value = float(np.sum(np.logaddexp(0.0, z) - t * z))
        g = q - t
        return value, np.array([float(np.dot(g, scores)), float(g.sum())])

    prior = np.log((n_pos + 1.0) / (n_neg + 1.0))
    res = minimize(loss, np.array([1.0, prior]), jac=True, method="L-BFGS-B")
    a, b = float(res.x[0]), float(res.x[1])
    # A negative slope would invert the classifier's ranking; it only happens with degenerate
    # folds, where "no information" is the honest answer.
    if not np.isfinite(a) or a < 0:
        a, b = 0.0, float(prior)
    return a, b


def choose_threshold(
    confidence: np.ndarray, correct: np.ndarray, target: float, min_support: int
) -> float | None:
    """Lowest top-probability threshold whose routed share is at least `target` accurate."""
    if len(confidence) == 0:
        return None
    order = np.argsort(-confidence, kind="stable")
    conf = confidence[order]
    hits = np.cumsum(correct[order].astype(float))
    n = np.arange(1, len(conf) + 1)
    acc = hits / n
    best = None
    for i in range(len(conf)):
        # Only cut between distinct values: everything at a tied probability is routed together.
        if i + 1 < len(conf) and conf[i + 1] == conf[i]:
            continue
        if n[i] >= min_support and acc[i] >= target:
            best = i
    if best is None:
        return None
    return float(conf[best])


class TextRouter:
    """fit(texts, labels) → predict(texts, k) / decide(text) / explain(text, label) → save/load."""

    def __init__(self, params: RouterParams | None = None, **overrides: Any) -> None:
        base = asdict(params) if params is not None else {}
        base.update(overrides)
        self.params = RouterParams(**base)
        self.classes_: list[str] = []
        self.metadata: dict[str, Any] = {}
        self._char_vec: Any = None
        self._word_vec: Any = None
        self._coef: np.ndarray | None = None  # (n_classes, n_features), dense for fast dot
        self._intercept: np.ndarray | None = None
        self._platt: np.ndarray | None = None  # (n_classes, 2)
        self._feature_names: np.ndarray | None = None
        self._coef_t: np.ndarray | None = None
        self._analyzer: Any = None
        self._label_centroids: sp.csr_matrix | None = None
        self._prior_adj: np.ndarray | None = None
        self.prior_alpha_: float = 0.0
        self.unsure_threshold: float = 1.0

    # ------------------------------------------------------------------ features

    def _features(self, docs: Sequence[str], fit: bool = False) -> sp.csr_matrix:
        from sklearn.feature_extraction.text import TfidfVectorizer

        if fit:
            min_df = self.params.char_min_df if len(docs) >= 50 else 1
            self._char_vec = TfidfVectorizer(
                analyzer="char",
                ngram_range=self.params.char_ngrams,
                sublinear_tf=True,
                min_df=min_df,
                dtype=np.float32,
            )
            try:
                blocks = [self._char_vec.fit_transform(docs)]
            except ValueError:
                # Every n-gram pruned (tiny or near-empty corpus): keep them all.
                self._char_vec.set_params(min_df=1)
                blocks = [self._char_vec.fit_transform(docs)]
            if self.params.word_weight > 0:
                self._word_vec = TfidfVectorizer(
                    analyzer=_word_analyzer, sublinear_tf=True, dtype=np.float32
                )
                try:
                    blocks.append(self.params.word_weight * self._word_vec.fit_transform(docs))
                except ValueError:
                    self._word_vec = None
        else:
            blocks = [self._transform_chars(docs)]
            if self._word_vec is not None:
                blocks.append(self.params.word_weight * self._word_vec.transform(docs))
        return sp.hstack(blocks, format="csr") if len(blocks) > 1 else blocks[0].tocsr()

    def _transform_chars(self, docs: Sequence[str]) -> sp.csr_matrix:
        """TfidfVectorizer.transform for the fitted char vectorizer, without its per-call
        overhead (validation, sorting), which dominates when routing one message at a time.
        Same numbers: sublinear tf × idf, then l2 normalisation."""
        vec = self._char_vec
        if self._analyzer is None:
            self._analyzer = vec.build_analyzer()
        vocab = vec.vocabulary_
        idf = vec.idf_
        indptr = [0]
        indices: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for doc in docs:
            counts = Counter(self._analyzer(doc))
            pairs = [(vocab[g], c) for g, c in counts.items() if g in vocab]
            if pairs:
                idx = np.fromiter((j for j, _ in pairs), dtype=np.int32, count=len(pairs))
                tf = np.fromiter((c for _, c in pairs), dtype=np.float64, count=len(pairs))
                w = (1.0 + np.log(tf)) * idf[idx]
                w /= np.sqrt(np.dot(w, w))
                indices.append(idx)
                values.append(w.astype(np.float32))
                indptr.append(indptr[-1] + len(pairs))
            else:
                indptr.append(indptr[-1])
        n_features = len(idf)
        if not indices:
            return sp.csr_matrix((len(docs), n_features), dtype=np.float32)
        return sp.csr_matrix(
            (np.concatenate(values), np.concatenate(indices), np.array(indptr)),
            shape=(len(docs), n_features),
        )

    # ------------------------------------------------------------------ training

    def fit(
        self,
        texts: Iterable[str],
        labels: Iterable[Any],
        label_descriptions: Mapping[str, Iterable[str]] | None = None,
    ) -> TextRouter:
        """Learn from labelled messages. Labels are compared as strings. `label_descriptions`
        (optional) adds short texts per label — a department's remit, a taxonomy path — as
        down-weighted extra examples; labels without any message are ignored."""
        t0 = time.perf_counter()
        texts = list(texts)
        y_all = [str(v) for v in labels]
        if len(texts) != len(y_all):
            raise ValueError(f"{len(texts)} texts but {len(y_all)} labels")
        if not texts:
            raise ValueError("no training messages")
        docs = [normalize(t, self.params.max_chars) for t in texts]
        counts = Counter(y_all)
        described = _descriptions(label_descriptions, self.params.max_chars)
        names = set(counts)
        if self.params.describe_unseen:
            names |= {label for label, ds in described.items() if ds}
        self.classes_ = sorted(names)
        index = {c: i for i, c in enumerate(self.classes_)}
        y = np.array([index[v] for v in y_all])

        extra_docs: list[str] = []
        extra_y: list[int] = []
        for label in self.classes_:
            descs = list(described.get(label, []))
            if self.params.label_names and not label.isascii():
                # A code (jfkj) says nothing; a unit's name (市交警支队) does.
                name = normalize(label, self.params.max_chars)
                if name and name not in descs:
                    descs.insert(0, name)
            for nd in descs:
                extra_docs.append(nd)
                extra_y.append(index[label])

        X = self._features(docs + extra_docs, fit=True)
        X_msg, X_extra = X[: len(docs)], X[len(docs) :]
        y_extra = np.array(extra_y, dtype=int)
        n_classes = len(self.classes_)
        n_features = X.shape[1]
        self._label_centroids = _centroids(X_extra, y_extra, n_classes)
        self._feature_names = None
        self._coef_t = None
        self._analyzer = None

        if n_classes == 1:
            # One label: nothing to decide, but keep the interface (probability 1).
            self._coef = np.zeros((1, n_features), dtype=np.float32)
            self._intercept = np.zeros(1)
            self._platt = np.array([[0.0, 10.0]])
            oof_probs = np.ones((len(docs), 1))
            calibrated = False
        else:

            def train(
                Xa: sp.csr_matrix, ya: np.ndarray, wa: np.ndarray | None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
                """Fit on a subset; coefficients laid out for all classes (absent ones never
                win) so that folds missing a rare class still give a full decision matrix."""
                present = np.unique(ya)
                coef = np.zeros((n_classes, n_features), dtype=np.float64)
                inter = np.full(n_classes, -1e3)
                if len(present) == 1:
                    inter[present[0]] = 0.0
                    return coef, inter, present
                power = self.params.class_weight_power
                cw: Any = "balanced"
                if power != 1.0:
                    freq = np.bincount(ya, minlength=n_classes).astype(float)
                    raw = {int(c): freq[c] ** -power for c in present}
                    norm = len(ya) / sum(freq[c] * raw[c] for c in raw)
                    cw = {c: v * norm for c, v in raw.items()}
                n_char = len(self._char_vec.vocabulary_)
                if self.params.view_vote and n_features > n_char:
                    # Two models, one per view, voting with equal weight.
                    w1, b1 = self._fit_linear(Xa[:, :n_char], ya, wa, cw)
                    w2, b2 = self._fit_linear(Xa[:, n_char:], ya, wa, cw)
                    w_all, b_all = 0.5 * np.hstack([w1, w2]), 0.5 * (b1 + b2)
                else:
                    w_all, b_all = self._fit_linear(Xa, ya, wa, cw)
                if len(present) == 2 and w_all.shape[0] == 1:
                    w, b = w_all[0], b_all[0]
                    coef[present[1]], inter[present[1]] = w, b
                    coef[present[0]], inter[present[0]] = -w, -b
                else:
                    coef[present] = w_all
                    inter[present] = b_all
                if self.params.centroid_weight > 0:
                    cen = _centroids(Xa, ya, n_classes, wa).toarray()
                    coef[present] += self.params.centroid_weight * cen[present]
                if self.params.nb_weight > 0:
                    from sklearn.naive_bayes import ComplementNB

                    nb = ComplementNB(alpha=0.1)
                    nb.fit(Xa, ya, sample_weight=wa)
                    lw = nb.feature_log_prob_
                    lw = lw - lw.mean(axis=0, keepdims=True)
                    lw = lw / (np.abs(lw).max() or 1.0)
                    coef[nb.classes_] += self.params.nb_weight * lw
                return coef, inter, present

            crop_docs, crop_owner = _crops(
                docs, y, self.params.augment_below, self.params.random_state
            )
            X_crop = self._features(crop_docs) if crop_docs else None

            def stack(idx: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray | None]:
                blocks, ys, ws = [X_msg[idx]], [y[idx]], [np.ones(len(idx))]
                if X_crop is not None:
                    # Crops only of the messages this (sub)model trains on.
                    own = np.flatnonzero(np.isin(crop_owner, idx))
                    if len(own):
                        blocks.append(X_crop[own])
                        ys.append(y[crop_owner[own]])
                        ws.append(np.full(len(own), self.params.augment_weight))
                if X_extra.shape[0]:
                    blocks.append(X_extra)
                    ys.append(y_extra)
                    ws.append(np.full(X_extra.shape[0], self.params.description_weight))
                if len(blocks) == 1:
                    return X_msg[idx], y[idx], None
                return sp.vstack(blocks, format="csr"), np.concatenate(ys), np.concatenate(ws)

            all_idx = np.arange(len(docs))
            coef, inter, _ = train(*stack(all_idx))
            self._coef = coef.astype(np.float32)
            self._intercept = inter

            oof = self._oof_decisions(X_msg, y, n_classes, train, stack)
            if oof is None:
                # Too few messages to hold any out: a fixed, deliberately soft mapping.
                self._platt = np.tile([2.0, 0.0], (n_classes, 1))
                calibrated = False
                oof_probs = self._probs_from_decision(self._decision(X_msg))
            else:
                self._platt = _platt_all(oof, y, n_classes, self.params.pooled_calibration_below)
                calibrated = True
                self._prior_adj = self._choose_prior_adj(oof, y, counts_arr(y, n_classes))
                oof_probs = self._probs_from_decision(oof)

        top = oof_probs.argmax(axis=1)
        correct = top == y
        conf = oof_probs.max(axis=1)
        if self.params.unsure_threshold is not None:
            threshold: float | None = float(self.params.unsure_threshold)
        elif calibrated:
            threshold = choose_threshold(
                conf, correct, self.params.target_accuracy, self.params.min_auto_support
            )
        else:
            threshold = None
        # Unreachable target: never route without a person.
        self.unsure_threshold = 1.0 if threshold is None else threshold
        routed = conf >= self.unsure_threshold
        oof_f1 = _macro_f1(y, top, n_classes)
        self.metadata = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "labels": list(self.classes_),
            "label_counts": {c: int(counts.get(c, 0)) for c in self.classes_},
            "described_only": [c for c in self.classes_ if not counts.get(c)],
            "n_samples": len(docs),
            "n_descriptions": len(extra_docs),
            "n_features": int(n_features),
            "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "train_seconds": round(time.perf_counter() - t0, 3),
            "params": asdict(self.params),
            "versions": _library_versions(),
            "calibrated": calibrated,
            "prior_alpha": self.prior_alpha_,
            "unsure_threshold": self.unsure_threshold,
            "threshold_reached_target": threshold is not None,
            # Out-of-fold estimates on the training data itself (calibration folds).
            "cv_estimate": {
                "accuracy": round(float(correct.mean()), 4),
                "macro_f1": round(oof_f1, 4),
                "auto_share": round(float(routed.mean()), 4),
                "auto_accuracy": round(float(correct[routed].mean()), 4) if routed.any() else None,
            },
        }
        return self

    def _fit_linear(
        self, Xa: sp.csr_matrix, ya: np.ndarray, wa: np.ndarray | None, cw: Any
    ) -> tuple[np.ndarray, np.ndarray]:
        """(coef_, intercept_) of the chosen linear model, as scikit-learn lays them out."""
        kind = self.params.classifier
        model: Any
        if kind == "svm":
            from sklearn.svm import LinearSVC

            model = LinearSVC(C=self.params.C, class_weight=cw, max_iter=5000)
        elif kind == "lr":
            from sklearn.linear_model import LogisticRegression

            model = LogisticRegression(
                C=self.params.C,
                class_weight=cw,
                solver=self.params.lr_solver,
                max_iter=300,
                tol=1e-3,
            )
        elif kind == "sgd":
            from sklearn.linear_model import SGDClassifier

            model = SGDClassifier(
                loss="modified_huber",
                alpha=1e-4 / max(self.params.C, 1e-6),
                class_weight=cw,
                max_iter=50,
                tol=1e-4,
                random_state=self.params.random_state,
            )
        else:
            raise ValueError(f"unknown classifier {kind!r}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter on degenerate folds
            model.fit(Xa, ya, sample_weight=wa)
        coef = np.asarray(model.coef_, dtype=np.float64)
        inter = np.asarray(model.intercept_, dtype=float)
        if kind == "lr" and coef.shape[0] > 1:
            # Multinomial logits are defined up to a shift per message; centred, they are one
            # number per class again, which the per-class Platt step needs (uncentred, the
            # shift differs between the fold models and the final one and the mapping fitted
            # on the former misreads the latter).
            coef -= coef.mean(axis=0, keepdims=True)
            inter = inter - inter.mean()
        return coef, inter

    def _oof_decisions(self, X_msg, y, n_classes, train, stack) -> np.ndarray | None:
        from sklearn.model_selection import StratifiedKFold

        counts = np.bincount(y, minlength=n_classes)
        n_splits = min(self.params.calibration_folds, int(counts.max()))
        if n_splits < 2 or len(y) < 2 * n_classes:
            return None
        skf = StratifiedKFold(
            n_splits=n_splits, shuffle=True, random_state=self.params.random_state
        )
        oof = np.zeros((len(y), n_classes))
        with warnings.catch_warnings():
            # "The least populated class has only N members": expected with tiny classes.
            warnings.simplefilter("ignore", UserWarning)
            splits = list(skf.split(np.zeros(len(y)), y))
        for tr, te in splits:
            coef, inter, present = train(*stack(tr))
            d = np.asarray(X_msg[te] @ coef.T) + inter + self._similarity(X_msg[te])
            # A class missing from this fold's training part gets a score below every other.
            missing = np.setdiff1d(np.arange(n_classes), present)
            if len(missing) and len(present):
                d[:, missing] = d[:, present].min(axis=1, keepdims=True) - 1.0
            oof[te] = d
        return oof

    # ------------------------------------------------------------------ prediction

    def _check_fitted(self) -> None:
        if self._coef is None or self._char_vec is None:
            raise RuntimeError("TextRouter is not fitted")

    def _decision(self, X: sp.csr_matrix) -> np.ndarray:
        assert self._coef is not None and self._intercept is not None
        if self._coef_t is None:
            # Contiguous transposed copy: X @ coef.T would copy the whole matrix on every call.
            self._coef_t = np.ascontiguousarray(self._coef.T)
        return (
            np.asarray(X @ self._coef_t, dtype=np.float64) + self._intercept + self._similarity(X)
        )

    def _similarity(self, X: sp.csr_matrix) -> np.ndarray | float:
        """Cosine similarity of each message to each label's description texts, weighted."""
        w = self.params.similarity_weight
        if w <= 0 or self._label_centroids is None:
            return 0.0
        return w * np.asarray((X @ self._label_centroids.T).todense(), dtype=np.float64)

    def _choose_prior_adj(self, oof: np.ndarray, y: np.ndarray, counts: np.ndarray) -> np.ndarray:
        prior = (counts + 1.0) / float(counts.sum() + len(counts))
        alphas = (
            PRIOR_ALPHAS if self.params.prior_alpha is None else (float(self.params.prior_alpha),)
        )
        best: tuple[float, float] | None = None
        n_classes = len(counts)
        for alpha in alphas:
            self._prior_adj = prior**-alpha
            pred = self._probs_from_decision(oof).argmax(axis=1)
            value = _macro_f1(y, pred, n_classes) + float(np.mean(pred == y))
            if best is None or value > best[0] + 1e-9:
                best = (value, alpha)
        assert best is not None
        self.prior_alpha_ = best[1]
        adj = np.asarray(prior ** -best[1], dtype=np.float64)
        if self.params.class_bias:
            adj = self._choose_class_bias(oof, y, adj, best[0])
        return adj

    def _choose_class_bias(
        self, oof: np.ndarray, y: np.ndarray, adj: np.ndarray, start: float
    ) -> np.ndarray:
        n_classes = len(adj)
        best_value = start
        grid = np.exp(np.arange(-1.5, 1.51, 0.25))
        for _ in range(2):
            for c in range(n_classes):
                keep = adj[c]
                choice = keep
                for g in grid:
                    adj[c] = keep * g
                    self._prior_adj = adj
                    pred = self._probs_from_decision(oof).argmax(axis=1)
                    value = _macro_f1(y, pred, n_classes) + float(np.mean(pred == y))
                    if value > best_value + 1e-9:
                        best_value, choice = value, adj[c]
                adj[c] = choice
        self._prior_adj = adj
        return adj

    def _probs_from_decision(self, d: np.ndarray) -> np.ndarray:
        assert self._platt is not None
        z = d * self._platt[:, 0] + self._platt[:, 1]
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))
        if self._prior_adj is not None:
            p = p * self._prior_adj
        s = p.sum(axis=1, keepdims=True)
        s[s == 0] = 1.0
        return p / s

    def _prepare(self, texts: Iterable[Any]) -> tuple[list[str], sp.csr_matrix]:
        docs = []
        for t in texts:
            try:
                docs.append(normalize(t, self.params.max_chars))
            except Exception:  # a message that cannot be normalised is treated as empty
                docs.append("")
        return docs, self._features(docs)

    def predict_proba(self, texts: Iterable[Any]) -> np.ndarray:
        """(n_texts, n_classes) calibrated probabilities, columns in `classes_` order."""
        self._check_fitted()
        _, X = self._prepare(texts)
        return self._probs_from_decision(self._decision(X))

    def predict(self, texts: Iterable[Any], k: int = 3) -> list[list[Prediction]]:
        """Top-k labels per text, most probable first."""
        probs = self.predict_proba(texts)
        k = max(1, min(int(k), len(self.classes_)))
        out = []
        for row in probs:
            top = np.argsort(-row, kind="stable")[:k]
            out.append([Prediction(self.classes_[i], float(row[i])) for i in top])
        return out

    def decide(self, text: Any, k: int = 3) -> Decision:
        return self.decide_many([text], k=k)[0]

    def decide_many(self, texts: Iterable[Any], k: int = 3) -> list[Decision]:
        """Like predict, plus the unsure verdict: below the threshold, or nothing in the text
        that the model knows (empty, another language, emoji only)."""
        self._check_fitted()
        _, X = self._prepare(texts)
        probs = self._probs_from_decision(self._decision(X))
        known = np.diff(X.indptr) > 0
        k = max(1, min(int(k), len(self.classes_)))
        out = []
        for row, has_features in zip(probs, known, strict=True):
            top = np.argsort(-row, kind="stable")[:k]
            cands = tuple(Prediction(self.classes_[i], float(row[i])) for i in top)
            unsure = (not has_features) or cands[0].probability < self.unsure_threshold
            out.append(Decision(cands[0].label, cands[0].probability, unsure, cands))
        return out

    def explain(self, text: Any, label: str, n: int = 8) -> list[tuple[str, float]]:
        """The character n-grams (and words) of `text` that pushed hardest towards `label`,
        as (term, contribution) pairs; shorter n-grams inside a listed longer one are skipped."""
        self._check_fitted()
        label = str(label)
        if label not in self.classes_:
            return []
        assert self._coef is not None
        _, X = self._prepare([text])
        row = X.getrow(0)
        if row.nnz == 0:
            return []
        contrib = row.data * self._coef[self.classes_.index(label), row.indices]
        order = np.argsort(-contrib, kind="stable")
        names = self._names()
        chosen: list[tuple[str, float]] = []
        for j in order:
            if contrib[j] <= 0 or len(chosen) >= n:
                break
            term = str(names[row.indices[j]]).strip()
            if not term or term in PLACEHOLDERS or any(term in t for t, _ in chosen):
                continue
            # A longer n-gram supersedes shorter ones already listed.
            chosen = [(t, v) for t, v in chosen if t not in term]
            chosen.append((term, float(contrib[j])))
        return chosen[:n]

    def _names(self) -> np.ndarray:
        if self._feature_names is None:
            names = list(self._char_vec.get_feature_names_out())
            if self._word_vec is not None:
                names += list(self._word_vec.get_feature_names_out())
            self._feature_names = np.array(names, dtype=object)
        return self._feature_names

    # ------------------------------------------------------------------ persistence

    def _state(self) -> dict[str, Any]:
        return {
            "params": asdict(self.params),
            "classes": list(self.classes_),
            "char_vec": self._char_vec,
            "word_vec": self._word_vec,
            "coef": self._coef,
            "intercept": self._intercept,
            "platt": self._platt,
            "unsure_threshold": self.unsure_threshold,
            "label_centroids": self._label_centroids,
            "prior_adj": self._prior_adj,
        }

    def save(self, target: str | os.PathLike[str] | IO[bytes]) -> None:
        """Write a versioned joblib file (to a path atomically, or to a binary file object).
        Loading runs pickle: load only files this application wrote."""
        self._check_fitted()
        payload = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "metadata": self.metadata,
            "state": self._state(),
        }
        import joblib

        if isinstance(target, str | os.PathLike):
            path = Path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    joblib.dump(payload, fh, compress=3)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        else:
            joblib.dump(payload, target, compress=3)

    @classmethod
    def load(cls, source: str | os.PathLike[str] | IO[bytes] | bytes) -> TextRouter:
        import joblib

        if isinstance(source, bytes):
            source = io.BytesIO(source)
        payload = joblib.load(source)
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise ValueError("not a Qinshang routing model file")
        version = payload.get("format_version")
        if version != FORMAT_VERSION:
            raise ValueError(
                f"routing model format {version} is not supported (need {FORMAT_VERSION})"
            )
        meta = payload.get("metadata", {})
        saved = meta.get("versions", {}).get("scikit-learn")
        current = _library_versions()["scikit-learn"]
        if saved and saved.split(".")[:2] != current.split(".")[:2]:
            warnings.warn(
                f"routing model trained with scikit-learn {saved}, running {current}; "
                "retrain if predictions look wrong",
                RuntimeWarning,
                stacklevel=2,
            )
        state = payload["state"]
        router = cls(RouterParams(**state["params"]))
        router.classes_ = list(state["classes"])
        router._char_vec = state["char_vec"]
        router._word_vec = state["word_vec"]
        router._coef = state["coef"]
        router._intercept = state["intercept"]
        router._platt = state["platt"]
        router.unsure_threshold = float(state["unsure_threshold"])
        router._label_centroids = state.get("label_centroids")
        router._prior_adj = state.get("prior_adj")
        router.metadata = meta
        return router

    def __repr__(self) -> str:
        if not self.classes_:
            return "TextRouter(unfitted)"
        return f"TextRouter({len(self.classes_)} labels, n={self.metadata.get('n_samples')})"


def counts_arr(y: np.ndarray, n_classes: int) -> np.ndarray:
    return np.bincount(y, minlength=n_classes).astype(float)


def _descriptions(
    given: Mapping[str, Iterable[str] | str] | None, max_chars: int
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for label, descs in (given or {}).items():
        items = [descs] if isinstance(descs, str) else list(descs)
        texts = []
        for d in items:
            nd = normalize(d, max_chars)
            if nd and nd not in texts:
                texts.append(nd)
        out.setdefault(str(label), []).extend(texts)
    return out


def _centroids(
    X_extra: sp.csr_matrix,
    y_extra: np.ndarray,
    n_classes: int,
    weights: np.ndarray | None = None,
) -> sp.csr_matrix:
    """One l2-normalised (weighted) mean vector of the rows per class (zero when it has none)."""
    if X_extra.shape[0] == 0:
        return sp.csr_matrix((n_classes, X_extra.shape[1]), dtype=np.float32)
    w = np.ones(len(y_extra)) if weights is None else np.asarray(weights, dtype=float)
    member = sp.csr_matrix(
        (w.astype(np.float32), (y_extra, np.arange(len(y_extra)))),
        shape=(n_classes, X_extra.shape[0]),
    )
    c = (member @ X_extra).tocsr()
    norms = np.sqrt(np.asarray(c.multiply(c).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ c, dtype=np.float32)


_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")


def _crops(
    docs: Sequence[str], y: np.ndarray, below: int, seed: int
) -> tuple[list[str], np.ndarray]:
    """Random crops of the messages of classes with fewer than `below` of them, so that each
    such class has about `below` examples: a run of about half the sentences, or of 50–80 % of
    the characters when there are fewer than three sentences. Returns (crops, owner index)."""
    if below <= 0:
        return [], np.zeros(0, dtype=int)
    rng = np.random.default_rng(seed)
    counts = np.bincount(y)
    out: list[str] = []
    owner: list[int] = []
    for i, (doc, c) in enumerate(zip(docs, y, strict=True)):
        n = int(counts[c])
        if n >= below or len(doc) < 8:
            continue
        per_doc = min(10, -(-(below - n) // n))
        sentences = [p for p in _SENTENCE_END.split(doc) if p.strip()]
        for _ in range(per_doc):
            if len(sentences) >= 3:
                k = max(1, len(sentences) // 2)
                start = int(rng.integers(0, len(sentences) - k + 1))
                crop = "".join(sentences[start : start + k])
            else:
                k = max(4, int(len(doc) * rng.uniform(0.5, 0.8)))
                start = int(rng.integers(0, len(doc) - k + 1))
                crop = doc[start : start + k]
            out.append(crop)
            owner.append(i)
    return out, np.array(owner, dtype=int)


def _platt_all(oof: np.ndarray, y: np.ndarray, n_classes: int, pooled_below: int) -> np.ndarray:
    """Per-class Platt scaling; classes with few out-of-fold positives back off to one mapping
    fitted on all classes' decision values together."""
    counts = np.bincount(y, minlength=n_classes)
    out = np.zeros((n_classes, 2))
    # A class with no out-of-fold positive (described only) always backs off.
    rare = counts < max(1, pooled_below)
    if rare.any():
        target = (y[:, None] == np.arange(n_classes)[None, :]).astype(float)
        pooled = _platt_fit(oof.ravel(), target.ravel())
    for c in range(n_classes):
        out[c] = pooled if rare[c] else _platt_fit(oof[:, c], (y == c).astype(float))
    return out


def _macro_f1(y: np.ndarray, pred: np.ndarray, n_classes: int) -> float:
    f1s = []
    for c in range(n_classes):
        tp = float(np.sum((pred == c) & (y == c)))
        fp = float(np.sum((pred == c) & (y != c)))
        fn = float(np.sum((pred != c) & (y == c)))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return float(np.mean(f1s)) if f1s else 0.0


__all__ = [
    "FORMAT_VERSION",
    "UNSURE",
    "Decision",
    "Prediction",
    "RouterParams",
    "TextRouter",
    "choose_threshold",
]
