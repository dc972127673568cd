"""Reuse of the last stored run's answer when nothing it was computed from has changed.

A second run over the same files, settings, rules, lists and code would compute the same
cases again; with a case store it instead loads them from the bundle the earlier run left
beside the store (`bundle`), after checking the bundle against the hash the store recorded.
What the run computes fresh each time is what depends on the day or on analysts: the changes
since the last run, dismissals, the allowlist, alerts and the reports.
"""
