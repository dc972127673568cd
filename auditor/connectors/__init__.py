"""connectors stage of the audit."""
