"""scoring stage of the audit."""
