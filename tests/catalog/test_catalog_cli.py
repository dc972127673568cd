"""`auditor catalog list` and `auditor catalog explain` through the real CLI group."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from auditor.cli.main import cli


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def test_list_filters_by_provider_and_restriction(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["catalog", "list", "--provider", "aws", "--restricted"])
    assert result.exit_code == 0, result.output
    assert "p5.48xlarge" in result.output and "H100-80GB" in result.output
    assert "g4dn.xlarge" not in result.output  # T4 is not restricted
    assert "a3-highgpu-8g" not in result.output  # other provider


def test_list_all_shows_tpp(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["catalog", "list"])
    assert result.exit_code == 0
    assert "Standard_ND96isr_MI300X_v5" in result.output and "20,919" in result.output


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("g6.xlarge", ["L4", "3A090.a", "294.5 mm2", "6.57", "l4/"]),
        ("nvidia-tesla-t4", ["T4", "not-controlled", "1,040"]),
        ("H20", ["license-required-china", "April 2025"]),
    ],
)
def test_explain(runner: CliRunner, name: str, expected: list[str]) -> None:
    result = runner.invoke(cli, ["catalog", "explain", name])
    assert result.exit_code == 0, result.output
    for text in expected:
        assert text in result.output


def test_explain_unknown_name_is_an_input_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    from auditor.cli.main import main

    code = main(["catalog", "explain", "p7.48xlarge"])
    err = capsys.readouterr().err
    assert code == 2
    assert "p7.48xlarge" in err and "Traceback" not in err
