"""Generated documentation matches the code it documents."""

from auditor.features.vocabulary import render_markdown
from auditor.model.docs import render_input_format
from auditor_testkit import REPO


def test_features_doc_is_current():
    assert (REPO / "docs" / "features.md").read_text() == render_markdown() + "\n", (
        "regenerate: auditor rules features > docs/features.md"
    )


def test_input_format_doc_is_current():
    assert (REPO / "docs" / "input-format.md").read_text() == render_input_format(), (
        "regenerate with auditor.model.docs.render_input_format()"
    )
