"""Would a learned scorer beat name-v2's hand-set formula? A logistic regression over the
features every name-v2 match explains itself with, fit on the *tune* part, reported on *test*.

    .venv/bin/python bench/screen_learned.py        # needs scikit-learn (pip install scikit-learn)

Candidates are name-v2's own matches at a low threshold (0.70), so the model re-ranks what
the index retrieves and cannot find more than that. Each match is a row: the explained
features (tokens, query and candidate coverage, distinctive, compact, full), whether the
legal forms differ, whether evidence was applied, and the score; the label is whether the
entry is the one the query was varied from. The probability cut-off is chosen on *tune*
(the highest recall at a precision no lower than name-v2's own on tune), then both are
scored on *test* with the evaluation's per-query recall and precision. An experiment, not
a matcher: nothing in the audit reads its output.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from auditor.screening import ScreeningIndex, load_lists  # noqa: E402
from auditor.screening.evaluation import Evaluation, build_evaluation, score_matches  # noqa: E402
from auditor.screening.name_v2 import DEFAULT_THRESHOLD_V2, EXPLANATION_DTYPE  # noqa: E402

SHARED = Path(os.environ.get("AUDITOR_SHARED") or REPO.parent / "shared") / "data" / "screening"
FEATURES = ["tokens", "query_coverage", "candidate_coverage", "distinctive", "compact", "full"]
COLUMNS = [*FEATURES, "legal_differs", "evidence", "score"]
CANDIDATE_THRESHOLD = 0.70


def match_rows(entries: pl.DataFrame, part: str) -> tuple[Evaluation, pl.DataFrame]:
    """The part's evaluation and name-v2's matches at CANDIDATE_THRESHOLD, one feature row each."""
    ev = build_evaluation(entries, part=part)
    index = ScreeningIndex.build(ev.entries, algorithm="name-v2")
    matches = index.match_names(ev.queries.select("query_id", "name"), CANDIDATE_THRESHOLD)
    features = pl.col("e").struct.field("features")
    rows = matches.with_columns(e=pl.col("explanation").str.json_decode(EXPLANATION_DTYPE))
    rows = rows.with_columns(
        *[features.struct.field(f).alias(f) for f in FEATURES],
        legal_differs=(features.struct.field("legal_form") == "differs").cast(pl.Float64),
        evidence=(features.struct.field("evidence") != "").cast(pl.Float64),
    ).join(ev.queries.select("query_id", "expected_entry_id"), on="query_id", how="left")
    label = (pl.col("entry_id") == pl.col("expected_entry_id")).fill_null(False)
    return ev, rows.with_columns(label=label)


def main() -> int:
    from sklearn.linear_model import LogisticRegression  # optional: pip install scikit-learn

    files = sorted(SHARED.glob("*.csv"))
    if not files:
        print(f"no list data under {SHARED}", file=sys.stderr)
        return 2
    entries = load_lists(files).entries
    tune_ev, tune = match_rows(entries, "tune")
    test_ev, test = match_rows(entries, "test")
    model = LogisticRegression(C=10.0, max_iter=2000)
    model.fit(tune.select(COLUMNS).to_numpy(), tune["label"].to_numpy())
    print("weights:", {c: round(float(w), 3) for c, w in zip(COLUMNS, model.coef_[0])})
    tune = tune.with_columns(
        p=pl.Series(model.predict_proba(tune.select(COLUMNS).to_numpy())[:, 1])
    )
    test = test.with_columns(
        p=pl.Series(model.predict_proba(test.select(COLUMNS).to_numpy())[:, 1])
    )
    hand_tune = score_matches(tune_ev, tune.filter(pl.col("score") >= DEFAULT_THRESHOLD_V2))
    best: tuple[float, float] | None = None
    for cut in np.linspace(0.05, 0.95, 91):
        got = score_matches(tune_ev, tune.filter(pl.col("p") >= cut))
        if got["precision"] >= hand_tune["precision"] and (best is None or got["recall"] > best[1]):
            best = (float(cut), got["recall"])
    assert best is not None
    hand = score_matches(test_ev, test.filter(pl.col("score") >= DEFAULT_THRESHOLD_V2))
    learned = score_matches(test_ev, test.filter(pl.col("p") >= best[0]))
    print(f"cut-off chosen on tune: p >= {best[0]:.2f}\n")
    print("| on test | recall | precision |\n| --- | --- | --- |")
    print(
        f"| name-v2, threshold {DEFAULT_THRESHOLD_V2} | {hand['recall']:.4f} | {hand['precision']:.4f} |"
    )
    print(
        f"| logistic regression, p >= {best[0]:.2f} | {learned['recall']:.4f} | {learned['precision']:.4f} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
