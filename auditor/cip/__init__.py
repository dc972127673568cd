"""Customer-identification (CIP) completeness and large-training estimates for foreign accounts.

The proposed IaaS customer-identification rule (89 FR 5698, January 2024; still a proposal,
see docs/cip.md) asks, for each foreign account, the items `gaps.py` checks the KYC record
for; `training.py` estimates the training compute a tenant's restricted GPU-hours could
have delivered. Both hand feature columns to `features/` like any other stage.
"""
