"""What a tenant said it would use the cloud for, as a kind: `general`, `gpu-light` or `training`.

Read from the free-text `declared_use` by keywords (whole words, case ignored), so a rule can
ask whether the GPU pattern fits the declaration. `general` uses need no accelerator at all
(web hosting, CI, data warehousing, e-commerce, ETL ...); `gpu-light` uses need a few
(inference, serving, transcoding, rendering); `training` uses need many for days (training,
fine-tuning, simulation, research). Training keywords win over the others ("inference model
training" is training); text matching none of them is null: unknown, never a guess.
"""

from __future__ import annotations

import polars as pl

# kind -> regular expression over the lower-cased text; tried in this order, first match wins.
KINDS: dict[str, str] = {
    "training": r"\b(train(ing)?|pre-?train(ing)?|fine-?tun(e|ing)|foundation model|llm|hpc|simulation|research|protein|weather model)\b",
    "gpu-light": r"\b(inference|serving|transcod(e|ing)|render(ing)?|classification|recognition|vision api)\b",
    "general": r"\b(web|hosting|ci|builds?|warehous(e|ing)|e-?commerce|backend|internal tools|etl|crm|email|storage|databases?|analytics dashboards?)\b",
}


def declared_use_kind(declared_use: pl.Expr) -> pl.Expr:
    text = declared_use.str.to_lowercase()
    expr = pl.lit(None, dtype=pl.String)
    for kind, pattern in reversed(KINDS.items()):
        expr = pl.when(text.str.contains(pattern)).then(pl.lit(kind)).otherwise(expr)
    return expr
