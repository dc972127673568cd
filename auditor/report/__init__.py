"""Output formats: one module per format, found through the RENDERERS registry."""

from auditor.report.records import case_records
from auditor.report.write import RENDERERS, stage_reports, write_reports

__all__ = ["RENDERERS", "case_records", "stage_reports", "write_reports"]
