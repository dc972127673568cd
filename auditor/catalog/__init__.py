"""catalog stage of the audit."""
