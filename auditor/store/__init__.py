"""store stage of the audit."""
