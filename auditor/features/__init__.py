"""features stage of the audit."""
