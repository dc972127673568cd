"""The bad-rule catalogue: every mistake is reported at file:line:col with the rule and field, exit 2."""

from __future__ import annotations

import textwrap

import pytest

from auditor_testkit import assert_no_traceback

GOOD = """\
id: hq-d5
version: 1
title: HQ in D5
severity: high
weight: 40
rationale: Companies headquartered in D:5 need a licence.
when:
  all:
    - {field: hq_in_d5, op: eq, value: true}
    - {field: restricted_gpu_hours_90d, op: gt, value: 0}
"""

CASES = [
    # (name, file text, expected fragments of the message: location, subject, field, expectation)
    ("malformed yaml", "id: x\nwhen: [unclosed\n", ["bad.yaml:3:1", "invalid YAML"]),
    ("empty file", "", ["bad.yaml:1:1", "file is empty"]),
    (
        "duplicate key",
        GOOD + "weight: 50\n",
        ["bad.yaml:11:1:", "duplicate key 'weight' (first at line 5)"],
    ),
    (
        "unknown rule field",
        GOOD + "severityy: high\n",
        ["bad.yaml:11:1:", "rule 'hq-d5'", "severityy: unknown field"],
    ),
    (
        "unknown operator",
        GOOD.replace("op: gt,", "op: gt_than,"),
        [
            "bad.yaml:10:45",
            "rule 'hq-d5'",
            "when.all[1].op",
            "unknown operator 'gt_than'",
            "did you mean 'gt'",
        ],
    ),
    (
        "unknown feature",
        GOOD.replace("hq_in_d5", "hq_in_d55"),
        ["bad.yaml:9:15", "when.all[0].field", "did you mean 'hq_in_d5'"],
    ),
    (
        "wrong value type",
        GOOD.replace("value: 0}", "value: lots}"),
        ["bad.yaml:10:56", "when.all[1].value", "needs a number, got 'lots'"],
    ),
    (
        "boolean feature given text",
        GOOD.replace("value: true}", "value: 'yes'}"),
        ["when.all[0].value", "expected true or false"],
    ),
    (
        "operator does not fit the feature",
        GOOD.replace("op: eq, value: true", "op: gt, value: 1"),
        ["when.all[0].op", "does not apply to boolean feature"],
    ),
    (
        "bad severity",
        GOOD.replace("severity: high", "severity: severe"),
        ["bad.yaml:4:11", "severity", "'low', 'medium', 'high' or 'critical'"],
    ),
    (
        "weight out of range",
        GOOD.replace("weight: 40", "weight: 400"),
        ["bad.yaml:5:9", "weight", "less than or equal to 100"],
    ),
    (
        "bad id",
        GOOD.replace("id: hq-d5", "id: HQ_D5"),
        ["bad.yaml:1:5", "id", "should match pattern"],
    ),
    (
        "not a condition",
        GOOD.replace("    - {field: hq_in_d5, op: eq, value: true}\n", "    - 42\n"),
        ["when.all[0]", "expected a condition"],
    ),
    ("missing when", "\n".join(GOOD.splitlines()[:6]) + "\n", ["when: required field missing"]),
    (
        "is_null with a value",
        GOOD.replace("op: eq, value: true", "op: is_null, value: true"),
        ["takes no value"],
    ),
    (
        "bad regex",
        GOOD.replace(
            "{field: hq_in_d5, op: eq, value: true}",
            "{field: email_domain, op: matches, value: '(['}",
        ),
        ["invalid regular expression"],
    ),
]


@pytest.mark.parametrize("name,text,fragments", CASES, ids=[c[0] for c in CASES])
def test_bad_rule_is_located_and_exits_2(tmp_path, cli, name, text, fragments):
    (tmp_path / "bad.yaml").write_text(text)
    code, out, err = cli("rules", "validate", tmp_path)
    assert code == 2, (out, err)
    assert_no_traceback(out + err)
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in:\n{err}"


def test_every_problem_in_every_file_is_reported(tmp_path, cli):
    (tmp_path / "a.yaml").write_text(
        GOOD.replace("op: gt,", "op: gtt,").replace("hq_in_d5", "hq_d5")
    )
    (tmp_path / "b.yaml").write_text(GOOD.replace("weight: 40", "weight: -1"))
    code, _, err = cli("rules", "validate", tmp_path)
    assert code == 2
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert any("a.yaml" in line and "gtt" in line for line in lines)
    assert any("b.yaml" in line and "weight" in line for line in lines)


def test_duplicate_rule_id_names_both_files(tmp_path, cli):
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    code, _, err = cli("rules", "validate", tmp_path)
    assert code == 2
    assert "b.yaml:1:5: rule 'hq-d5': id: duplicate rule id (first defined at" in err
    assert "a.yaml:1:5" in err


def test_valid_rule_passes(tmp_path, cli):
    (tmp_path / "good.yaml").write_text(GOOD)
    code, out, _ = cli("rules", "validate", tmp_path)
    assert code == 0
    assert "ok: 1 rules" in out


def test_yaml_tags_cannot_run_code(tmp_path, cli):
    (tmp_path / "evil.yaml").write_text(
        GOOD + "x: !!python/object/apply:os.system ['echo pwned']\n"
    )
    code, out, err = cli("rules", "validate", tmp_path)
    assert code == 2
    assert "pwned" not in out
    assert_no_traceback(out + err)


def test_missing_directory(tmp_path, cli):
    code, _, err = cli("rules", "validate", tmp_path / "nope")
    assert code == 2
    assert "rules directory not found" in err


def test_schema_is_json_schema_with_operators(cli):
    import json

    code, out, _ = cli("rules", "schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["additionalProperties"] is False
    assert {"id", "version", "when", "weight"} <= set(schema["properties"])
    assert "gt_than" not in out and "gte" in out


def test_rule_test_file_failures_are_reported(tmp_path, cli):
    (tmp_path / "hq-d5.yaml").write_text(GOOD)
    (tmp_path / "hq-d5.test.yaml").write_text(
        textwrap.dedent(
            """\
            rule: hq-d5
            cases:
              - name: china hq renting
                expect: hit
                features: {hq_in_d5: true, restricted_gpu_hours_90d: 10}
              - name: wrongly expected
                expect: hit
                features: {hq_in_d5: false, restricted_gpu_hours_90d: 10}
            """
        )
    )
    code, out, err = cli("rules", "test", tmp_path)
    assert code == 1
    assert "1 passed, 1 failed" in out
    assert "hq-d5.test.yaml:6:5: rule 'hq-d5': wrongly expected: expected hit, got no-hit" in err
    assert "needs at least one 'hit' and one 'no-hit'" in err
