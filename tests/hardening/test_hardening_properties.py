"""Property-based net under the bad-input catalogue: whatever a file holds, a loader gives a result or a located error.

Arbitrary bytes, and rows that are well formed but wrong (odd types, huge or negative
numbers, control characters, unknown columns), go through the input loaders, the list
loader, the rule loader and the config loader. Each must end in a result or an
`AuditorError` with exit code 2 whose every problem names the file -- never a traceback.
Examples are few per property (the suite stays fast); a failure prints the input that
caused it.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any
from collections.abc import Callable

import polars as pl
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.config import load_config
from auditor.engine.loader import load_rule_pack
from auditor.errors import EXIT_USAGE, AuditorError
from auditor.features.vocabulary import feature_kinds
from auditor.model.inputs import load_inputs
from auditor.model.load import load_table
from auditor.model.schema import ACCESS, TABLES, TENANTS, USAGE
from auditor.screening.lists import load_lists

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

TENANTS_OK = "tenant_id,legal_name\nt1,Acme Ltd\n"
USAGE_OK = (
    "tenant_id,instance_type,start,end\nt1,p5.48xlarge,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z\n"
)


def located_or_result(call: Callable[[], Any], path: Path) -> Any:
    """Runs a loader; a user error must be exit 2 and every problem must name the file."""
    try:
        return call()
    except AuditorError as exc:
        assert exc.exit_code == EXIT_USAGE, exc
        assert exc.problems, exc
        for problem in exc.problems:
            assert problem.location is not None and path.name in problem.location.path, str(problem)
        return exc


# --- values: text that looks like data, and text that does not ----------------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
DATES = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "2026-10-01",
            "2026-02-30T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "0001-01-01",
            "2026-10-01T00:00:00+14:00",
            "yesterday",
        ]
    ),
)
WORDS = st.sampled_from(
    [
        "",
        " ",
        "true",
        "no",
        "verified",
        "maybe",
        "p5.48xlarge",
        "nvidia-h100",
        "aws",
        "CN",
        "t1",
        "=cmd()",
        "a;b;;c",
        '"',
        "\x00",
        "\x1b[31m",
    ]
)
CELL = st.one_of(TEXT, NUMBERS, DATES, WORDS)


def _columns(schema) -> st.SearchStrategy[list[str]]:
    names = st.sampled_from([*schema.names, "extra", "Tenant_ID", ""])
    return st.lists(names, min_size=1, max_size=len(schema.names) + 2)


@st.composite
def csv_tables(draw, schema) -> str:
    header = draw(_columns(schema))
    rows = draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)), max_size=6))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    TEXT,
    DATES,
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=8,
)


@st.composite
def json_lines_tables(draw, schema) -> str:
    rows = draw(
        st.lists(
            st.dictionaries(
                st.sampled_from([*schema.names, "extra"]), st.one_of(JSON_VALUES, CELL), max_size=6
            ),
            max_size=6,
        )
    )
    return "".join(json.dumps(row, ensure_ascii=draw(st.booleans())) + "\n" for row in rows)


def _write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    return path


def _load_and_read(path: Path, schema) -> Any:
    """Load as the schema; a usage or access file also goes through the checks the audit runs, read to the end."""
    if schema is TENANTS:
        return load_table(path, schema)
    tenants = path.with_name("tenants-ok.csv")
    tenants.write_text(TENANTS_OK)
    inputs = (
        load_inputs(tenants, path)
        if schema is USAGE
        else load_inputs(tenants, _usage_ok(path), path)
    )
    return inputs.usage.collect(), inputs.access.collect()


def _usage_ok(path: Path) -> Path:
    usage = path.with_name("usage-ok.csv")
    usage.write_text(USAGE_OK)
    return usage


# --- input tables -------------------------------------------------------------------------


@SETTINGS
@given(
    data=st.binary(max_size=300),
    suffix=st.sampled_from([".csv", ".jsonl", ".parquet"]),
    table=st.sampled_from(sorted(TABLES)),
)
def test_input_loaders_on_arbitrary_bytes(tmp_path, data, suffix, table):
    path = _write(tmp_path, "input" + suffix, data)
    located_or_result(lambda: _load_and_read(path, TABLES[table]), path)


@SETTINGS
@given(data=st.data(), table=st.sampled_from(sorted(TABLES)))
def test_input_loaders_on_well_formed_wrong_csv(tmp_path, data, table):
    path = _write(tmp_path, "input.csv", data.draw(csv_tables(TABLES[table])))
    located_or_result(lambda: _load_and_read(path, TABLES[table]), path)


@SETTINGS
@given(data=st.data(), table=st.sampled_from(sorted(TABLES)))
def test_input_loaders_on_well_formed_wrong_json_lines(tmp_path, data, table):
    path = _write(tmp_path, "input.jsonl", data.draw(json_lines_tables(TABLES[table])))
    located_or_result(lambda: _load_and_read(path, TABLES[table]), path)


@SETTINGS
@given(data=st.data(), table=st.sampled_from([TENANTS.name, USAGE.name, ACCESS.name]))
def test_input_loaders_on_parquet_with_wrong_types(tmp_path, data, table):
    """Parquet carries its own types: a column of numbers where text belongs, lists where numbers belong."""
    schema = TABLES[table]
    names = data.draw(st.lists(st.sampled_from(schema.names), min_size=1, max_size=5, unique=True))
    kinds = [pl.Int64, pl.Float64, pl.Boolean, pl.String, pl.List(pl.String), pl.Datetime("us")]
    columns = {}
    height = data.draw(st.integers(min_value=0, max_value=4))
    for name in names:
        dtype = data.draw(st.sampled_from(kinds))
        strategy = {
            pl.Int64: st.integers(min_value=-(2**63), max_value=2**63 - 1),
            pl.Float64: st.floats(),
            pl.Boolean: st.booleans(),
            pl.String: TEXT,
            pl.Datetime("us"): st.datetimes(),
        }.get(dtype, st.lists(TEXT, max_size=3))
        columns[name] = pl.Series(
            name,
            data.draw(st.lists(st.one_of(st.none(), strategy), min_size=height, max_size=height)),
            dtype=dtype,
        )
    path = tmp_path / "input.parquet"
    pl.DataFrame(columns).write_parquet(path)
    located_or_result(lambda: _load_and_read(path, schema), path)


# --- restricted-party lists ---------------------------------------------------------------


@SETTINGS
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".json", ".jsonl", ""]))
def test_list_loader_on_arbitrary_bytes(tmp_path, data, suffix):
    path = _write(tmp_path, "list" + suffix, data)
    located_or_result(lambda: load_lists([path]), path)


@SETTINGS
@given(
    entries=st.one_of(
        JSON_VALUES,
        st.lists(
            st.dictionaries(
                st.sampled_from(
                    ["source", "name", "alt_names", "addresses", "_id", "type", "programs"]
                ),
                JSON_VALUES,
                max_size=6,
            ),
            max_size=5,
        ),
    ),
    wrap=st.booleans(),
)
def test_list_loader_on_well_formed_wrong_json(tmp_path, entries, wrap):
    path = _write(tmp_path, "list.json", json.dumps({"results": entries} if wrap else entries))
    located_or_result(lambda: load_lists([path]), path)


# --- rules and configs --------------------------------------------------------------------

RULE_KEYS = [
    "id",
    "version",
    "title",
    "severity",
    "weight",
    "rationale",
    "when",
    "evidence",
    "tags",
    "references",
    "extra",
]
CONDITION = st.recursive(
    st.fixed_dictionaries(
        {
            "field": st.sampled_from([*sorted(feature_kinds())[:8], "nope"]),
            "op": st.sampled_from(["eq", "gt", "in", "matches", "is_null", "gt_than"]),
        },
        optional={
            "value": st.one_of(
                JSON_SCALARS,
                st.lists(JSON_SCALARS, max_size=3),
                st.sampled_from(["(?=x)", "\\p{Han}", "(["]),
            )
        },
    ),
    lambda inner: st.one_of(
        st.fixed_dictionaries({"all": st.lists(inner, max_size=3)}),
        st.fixed_dictionaries({"any": st.lists(inner, max_size=3)}),
        st.fixed_dictionaries({"not": inner}),
    ),
    max_leaves=6,
)
RULE_VALUES = st.one_of(JSON_SCALARS, CONDITION, st.lists(TEXT, max_size=3))


@SETTINGS
@given(text=st.one_of(TEXT, st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
def test_rule_loader_on_arbitrary_text(tmp_path, text):
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    path = _write(rules, "rule.yaml", text)
    located_or_result(lambda: load_rule_pack(rules, feature_kinds()), path)


@SETTINGS
@given(rule=st.dictionaries(st.sampled_from(RULE_KEYS), RULE_VALUES, max_size=9))
def test_rule_loader_on_well_formed_wrong_rules(tmp_path, rule):
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    path = _write(rules, "rule.yaml", yaml.safe_dump(rule, allow_unicode=True))
    located_or_result(lambda: load_rule_pack(rules, feature_kinds()), path)


CONFIG_KEYS = [
    "tenants",
    "usage",
    "access",
    "lists",
    "rules",
    "out",
    "as_of",
    "screening_threshold",
    "max_link_group",
    "scoring",
    "unknown_instance_types",
    "alert_priority",
    "allow_empty_tenants",
    "connectors",
    "typo",
]


@SETTINGS
@given(
    config=st.one_of(
        st.dictionaries(st.sampled_from(CONFIG_KEYS), st.one_of(JSON_VALUES, DATES), max_size=6),
        JSON_VALUES,
    )
)
def test_config_loader_on_well_formed_wrong_configs(tmp_path, config):
    path = _write(tmp_path, "audit.yaml", yaml.safe_dump(config, allow_unicode=True))
    located_or_result(lambda: load_config(path), path)


@SETTINGS
@given(text=st.one_of(TEXT, st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
def test_config_loader_on_arbitrary_text(tmp_path, text):
    path = _write(tmp_path, "audit.yaml", text)
    located_or_result(lambda: load_config(path), path)


# --- the whole audit over rows that pass the header check ---------------------------------


@st.composite
def complete_csv_tables(draw, schema) -> str:
    """Every required column present (so the values, not the header, are what is wrong), plus some optional ones."""
    optional = draw(
        st.lists(
            st.sampled_from([c for c in schema.names if c not in schema.required]),
            unique=True,
            max_size=4,
        )
    )
    header = [*schema.required, *optional]
    value = st.one_of(
        CELL,
        st.sampled_from(
            [
                "t1",
                "t2",
                "p5.48xlarge",
                "n1-standard-8",
                "2026-10-01T00:00:00Z",
                "2026-09-01",
                "8",
                "-5",
            ]
        ),
    )
    rows = draw(
        st.lists(
            st.lists(value, min_size=len(header), max_size=len(header)), min_size=1, max_size=6
        )
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_whole_audit_on_wrong_rows(tmp_path, data):
    from auditor.config import AuditConfig
    from auditor.run import audit

    tenants = _write(tmp_path, "tenants.csv", data.draw(complete_csv_tables(TENANTS)))
    usage = _write(tmp_path, "usage.csv", data.draw(complete_csv_tables(USAGE)))
    access = _write(tmp_path, "access.csv", data.draw(complete_csv_tables(ACCESS)))
    try:
        audit(AuditConfig(tenants=tenants, usage=usage, access=access, allow_empty_tenants=True))
    except AuditorError as exc:
        assert exc.exit_code == EXIT_USAGE, exc
        assert all(p.location is not None for p in exc.problems), exc


@SETTINGS
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".json", ""]))
def test_downloaded_list_bytes_are_parsed_or_refused(data, suffix):
    """`lists update` checks a download before it replaces a good list: bytes in, an entry count or a located error out."""
    from auditor.screening.lists import parse_list_bytes

    try:
        assert parse_list_bytes(data, "download" + suffix, suffix) > 0
    except AuditorError as exc:
        assert exc.exit_code == EXIT_USAGE and exc.problems, exc
        assert all(
            p.location is not None and "download" in p.location.path for p in exc.problems
        ), exc
