"""Rule calibration from analysts' decisions: what the case store says about each rule.

`evidence.py` turns the store's cases and latest decisions into one labelled row per case
(the rules it fired, confirmed / dismissed / open); `summary.py` counts them per rule with a
precision interval and finds rules that never fire or fire only with others; `fit.py` fits
the weights the decisions support. Nothing here changes a rule: a proposed weight goes into
a rule file by hand and through `auditor rules backtest`.
"""
