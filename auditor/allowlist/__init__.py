"""Allowlists that expire: reviewed YAML entries that silence known-good cases for a stated time.

`spec` loads and validates allowlist.yaml (located errors, like rules); `apply` decides which
cases the active entries suppress, and which suppressions a material change lifts.
"""
