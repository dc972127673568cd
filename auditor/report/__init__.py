"""Output formats: one module per format, found through the RENDERERS registry."""

from auditor.report.records import case_records
from auditor.report.write import RENDERERS, write_reports

__all__ = ["RENDERERS", "case_records", "write_reports"]
