"""cli stage of the audit."""
