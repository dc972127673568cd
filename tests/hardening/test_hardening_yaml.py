"""Hostile rule, rule-test and config files: refused quickly, located, exit 2 -- never a hang or a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from auditor.yamlsource import MAX_YAML_BYTES, MAX_YAML_DEPTH
from auditor_testkit import EXAMPLES, assert_no_traceback

RULE = """\
id: mail-cn
version: 1
title: Mail domain in China
severity: low
weight: 10
rationale: A mainland mail domain is a weak signal of where the customer sits.
when: {field: email_domain, op: matches, value: 'PATTERN'}
"""

RULE_TEST = """\
rule: mail-cn
cases:
  - {name: cn domain, expect: hit, features: {email_domain: lab.cn}}
  - {name: de domain, expect: no-hit, features: {email_domain: lab.de}}
"""


def billion_laughs() -> str:
    """Nine levels of nine aliases: about 387 million strings once expanded."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):
        prev, cur = chr(ord("a") + level - 1), chr(ord("a") + level)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def write_rule(directory: Path, pattern: str = r"\.cn$", test: str | None = RULE_TEST) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "mail-cn.yaml").write_text(RULE.replace("PATTERN", pattern))
    if test is not None:
        (directory / "mail-cn.test.yaml").write_text(test)
    return directory


def refused(cli, *args: object, fragments: list[str]) -> str:
    started = time.perf_counter()
    code, out, err = cli(*args)
    elapsed = time.perf_counter() - started
    assert code == 2, (out, err)
    assert_no_traceback(out + err)
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    assert elapsed < 1.0, f"took {elapsed:.2f} s"
    return err


def test_alias_bomb_in_a_rule_file_is_refused_in_under_a_second(tmp_path, cli):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bomb.yaml").write_text(billion_laughs())
    refused(
        cli,
        "rules",
        "validate",
        rules,
        fragments=["bomb.yaml:1:4", "YAML anchor '&a' is not allowed"],
    )


def test_alias_bomb_in_a_rule_test_file_is_refused(tmp_path, cli):
    rules = write_rule(tmp_path / "rules", test=RULE_TEST + billion_laughs().replace("a:", "x:", 1))
    refused(
        cli,
        "rules",
        "test",
        rules,
        fragments=["mail-cn.test.yaml:5:4", "YAML anchor '&a' is not allowed"],
    )


def test_alias_bomb_in_an_audit_config_is_refused(tmp_path, cli):
    config = tmp_path / "audit.yaml"
    config.write_text(billion_laughs())
    refused(cli, "audit", "--config", config, fragments=["audit.yaml:1:4", "anchor"])


def test_alias_bomb_in_a_connectors_config_is_refused(tmp_path, cli):
    config = tmp_path / "connectors.yaml"
    config.write_text(billion_laughs())
    refused(
        cli,
        "collect",
        "--provider",
        "aws",
        "--config",
        config,
        "--out",
        tmp_path / "snap",
        fragments=["connectors.yaml:1:4", "anchor"],
    )


def test_a_lone_alias_is_refused_where_it_is_used(tmp_path, cli):
    rules = write_rule(tmp_path / "rules")
    text = (
        (rules / "mail-cn.yaml").read_text().replace("severity: low", "severity: low\ntags: [*t]")
    )
    (rules / "mail-cn.yaml").write_text(text)
    refused(
        cli, "rules", "validate", rules, fragments=["mail-cn.yaml:5:8", "alias '*t' is not allowed"]
    )


@pytest.mark.parametrize("levels", [MAX_YAML_DEPTH + 1, 500, 5000])
def test_rule_nesting_past_the_depth_cap_is_refused(tmp_path, cli, levels):
    rules = tmp_path / "rules"
    rules.mkdir()
    condition = "{not: " * levels + "{field: email_domain, op: is_null}" + "}" * levels
    (rules / "deep.yaml").write_text(
        RULE.replace(
            "when: {field: email_domain, op: matches, value: 'PATTERN'}", "when: " + condition
        )
    )
    refused(
        cli,
        "rules",
        "validate",
        rules,
        fragments=["deep.yaml:7:", f"nesting deeper than {MAX_YAML_DEPTH} levels"],
    )


def test_rule_nesting_within_the_cap_still_loads(tmp_path, cli):
    """The other side of the boundary: 40 nested `not`s (80 YAML levels) is a valid, if odd, rule."""
    rules = tmp_path / "rules"
    rules.mkdir()
    condition = "{not: " * 40 + "{field: email_domain, op: is_null}" + "}" * 40
    (rules / "deep.yaml").write_text(
        RULE.replace(
            "when: {field: email_domain, op: matches, value: 'PATTERN'}", "when: " + condition
        )
    )
    code, out, err = cli("rules", "validate", rules)
    assert code == 0, (out, err)


def test_oversized_yaml_file_is_refused_before_it_is_parsed(tmp_path, cli):
    config = tmp_path / "audit.yaml"
    config.write_text("# " + "x" * MAX_YAML_BYTES + "\n")
    refused(
        cli,
        "audit",
        "--config",
        config,
        fragments=["audit.yaml", f"the limit is {MAX_YAML_BYTES:,}"],
    )


def test_folder_given_as_config_is_a_located_error(tmp_path, cli):
    refused(cli, "audit", "--config", tmp_path, fragments=["is a folder; expected a YAML file"])


# --- regular expressions: validated by the engine that runs them ------------------------


@pytest.mark.parametrize(
    "pattern,reason",
    [
        ("lab(?=\\.cn)", "look-around"),
        ("(?<!www)\\.cn$", "look-around"),
        ("(a)\\1", "backreferences are not supported"),
        ("([", "unclosed character class"),
        ("a{1000}{1000}", "size limit"),
    ],
)
def test_regex_the_engine_cannot_run_fails_validate(tmp_path, cli, pattern, reason):
    rules = write_rule(tmp_path / "rules", pattern)
    refused(
        cli,
        "rules",
        "validate",
        rules,
        fragments=["mail-cn.yaml:7:", "when.value", "invalid regular expression", reason],
    )


def test_look_ahead_regex_fails_rules_test_and_audit_with_a_location_not_a_traceback(tmp_path, cli):
    rules = write_rule(tmp_path / "rules", "lab(?=\\.cn)")
    refused(cli, "rules", "test", rules, fragments=["mail-cn.yaml:7:", "look-around"])
    code, out, err = cli(
        "audit", "--config", EXAMPLES / "audit.yaml", "--rules", rules, "--out", tmp_path / "out"
    )
    assert code == 2 and "look-around" in err, (out, err)
    assert_no_traceback(out + err)


def test_unicode_script_class_passes_validate_and_runs(tmp_path, cli):
    """`\\p{Han}` is Rust regex syntax; Python's `re` rejected it, so validate used to refuse a rule the engine runs."""
    test = "rule: mail-cn\ncases:\n  - {name: han, expect: hit, features: {email_domain: 实验室.cn}}\n  - {name: latin, expect: no-hit, features: {email_domain: lab.cn}}\n"
    rules = write_rule(tmp_path / "rules", "\\p{Han}", test=test)
    code, out, err = cli("rules", "validate", rules)
    assert code == 0, (out, err)
    code, out, err = cli("rules", "test", rules)
    assert code == 0, (out, err)
