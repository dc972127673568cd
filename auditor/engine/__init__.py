"""engine stage of the audit."""
