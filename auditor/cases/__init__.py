"""cases stage of the audit."""
