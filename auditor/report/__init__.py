"""report stage of the audit."""
