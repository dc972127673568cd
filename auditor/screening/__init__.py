"""screening stage of the audit."""
