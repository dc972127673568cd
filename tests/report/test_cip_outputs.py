"""cip.csv and training.jsonl end to end through `auditor audit`, on small files written here."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta, timezone

import pytest

from auditor.cli.main import main
from auditor_testkit import assert_no_traceback

AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)
TENANT_HEADER = [
    "tenant_id",
    "legal_name",
    "country",
    "address",
    "billing_country",
    "email_domain",
    "phone",
    "payment_fingerprint",
    "beneficial_owners",
    "kyc_status",
    "is_reseller",
]
# 8 H100 for 300 h = 2400 GPU-h x 3600 x 989.5e12 x 0.4 = 3.42e21 operations.
H100_RUN_HOURS = 300
ESTIMATE = 8 * H100_RUN_HOURS * 3600 * 989.5e12 * 0.4


def write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture()
def provider(tmp_path):
    tenants = [
        # A foreign company at Ugland House with a gmail address: two gaps, training-scale use.
        (
            "t1",
            "Cayman Compute Ltd",
            "KY",
            "Ugland House, George Town",
            "KY",
            "gmail.com",
            "+1 345 100",
            "fp1",
            "A Owner",
            "verified",
            "false",
        ),
        # A spreadsheet formula for a name: must come out as text.
        (
            "t2",
            '=HYPERLINK("http://x")',
            "DE",
            "Hauptstr. 1, Berlin",
            "DE",
            "x.de",
            "+49 30 1",
            "fp2",
            "B Owner",
            "verified",
            "false",
        ),
        # Domestic, same usage as t1: never in either file.
        (
            "t3",
            "Domestic Labs Inc",
            "US",
            "1 Main St, Austin",
            "US",
            "gmail.com",
            "+1 512 1",
            "",
            "",
            "verified",
            "false",
        ),
        # A foreign reseller with one identified customer.
        (
            "t4",
            "Nordic Resale AS",
            "NO",
            "Storgata 1, Oslo",
            "NO",
            "resale.no",
            "+47 22 1",
            "fp4",
            "C Owner",
            "verified",
            "true",
        ),
    ]
    start = AS_OF - timedelta(days=20)
    usage = [
        (
            t,
            "aws",
            "us-east-1",
            "p5.48xlarge",
            start.isoformat(),
            (start + timedelta(hours=H100_RUN_HOURS)).isoformat(),
        )
        for t in ("t1", "t3")
    ]
    signins = [
        (t, (AS_OF - timedelta(days=2)).isoformat(), "192.0.2.9", "US")
        for t in ("t1", "t2", "t3", "t4")
    ]
    return {
        "tenants": write(tmp_path / "tenants.csv", TENANT_HEADER, tenants),
        "usage": write(
            tmp_path / "usage.csv",
            ["tenant_id", "provider", "region", "instance_type", "start", "end"],
            usage,
        ),
        "access": write(
            tmp_path / "access.csv", ["tenant_id", "timestamp", "source_ip", "ip_country"], signins
        ),
        "downstream": write(
            tmp_path / "downstream.csv",
            ["reseller_id", "customer_name", "customer_country"],
            [("t4", "Kunde AS", "NO")],
        ),
    }


def run(provider, out, *extra):
    args = ["audit", "--out", str(out), "--as-of", AS_OF.isoformat()]
    for name in ("tenants", "usage", "access", "downstream"):
        if name in provider:
            args += [f"--{name}", str(provider[name])]
    return main([*args, *extra])


def cip_rows(out):
    with open(out / "cip.csv", newline="", encoding="utf-8") as fh:
        return {r["tenant_id"]: r for r in csv.DictReader(fh)}


def training(out):
    return [json.loads(line) for line in (out / "training.jsonl").read_text().splitlines()]


def test_cip_csv_lists_every_foreign_account_with_its_gaps_and_guards_formulas(provider, tmp_path):
    out = tmp_path / "out"
    assert run(provider, out) == 0
    rows = cip_rows(out)
    assert set(rows) == {"t1", "t2", "t4"}  # t3 is domestic
    assert rows["t1"]["cip_gaps"] == "freemail_email;registered_agent_address"
    assert rows["t1"]["registered_agent"] == "Maples and Calder (Ugland House)"
    assert rows["t2"]["cip_gaps"] == "" and rows["t2"]["legal_name"].startswith("'=")
    assert rows["t4"]["cip_gaps"] == "" and rows["t4"]["downstream_customer_count"] == "1.0"
    assert all(r["complete"] == "true" for r in rows.values())
    assert list(rows) == ["t1", "t2", "t4"]  # most gaps first, then exposure, then id


def test_a_reseller_without_a_downstream_file_has_a_gap(provider, tmp_path):
    out = tmp_path / "out"
    del provider["downstream"]
    assert run(provider, out) == 0
    assert cip_rows(out)["t4"]["cip_gaps"] == "downstream_unidentified"


def test_training_jsonl_holds_foreign_tenants_from_the_review_threshold_on(provider, tmp_path):
    above, below = tmp_path / "above", tmp_path / "below"
    assert run(provider, above, "--training-threshold", f"{ESTIMATE * 0.999:.6e}") == 0
    assert run(provider, below, "--training-threshold", f"{ESTIMATE * 1.001:.6e}") == 0
    assert training(below) == []
    (record,) = training(above)  # t3 has the same estimate but is domestic
    assert record["tenant_id"] == "t1" and record["threshold"] == "review"
    assert record["estimated_training_flop_90d"] == pytest.approx(ESTIMATE)
    assert record["utilisation"] == 0.4 and record["review_threshold"] == pytest.approx(
        ESTIMATE * 0.999
    )
    (term,) = record["arithmetic"]
    assert term["gpu_model"] == "H100-80GB" and term["gpu_hours_90d"] == 8 * H100_RUN_HOURS
    assert term["text"].startswith("2,400.0 GPU-h x 3600 s/h x 9.895e+14 FLOP/s x 0.4")
    assert record["largest_run"]["gpus"] == 8 and record["regions"] == ["us-east-1"]
    report = (above / "report.md").read_text()
    assert "## Large-training candidates" in report and "## Customer identification (CIP)" in report


def test_the_default_review_threshold_leaves_a_small_estimate_out(provider, tmp_path):
    out = tmp_path / "out"
    assert run(provider, out) == 0  # 3.4e21 < 1e23
    assert training(out) == []
    assert "None." in (out / "report.md").read_text().split("## Large-training candidates")[1]


def test_the_reporting_threshold_and_utilisation_come_from_the_config(provider, tmp_path):
    config = tmp_path / "audit.yaml"
    config.write_text(
        f"training_reporting_threshold: {ESTIMATE / 2 * 0.999:.6e}\n"
        f"training_review_threshold: 1.0e20\ntraining_utilisation: 0.2\n"
    )
    out = tmp_path / "out"
    assert run(provider, out, "--config", str(config)) == 0
    (record,) = training(out)
    assert record["threshold"] == "reporting" and record["utilisation"] == 0.2
    assert record["estimated_training_flop_90d"] == pytest.approx(ESTIMATE / 2)


def test_a_home_country_outside_the_us_makes_us_accounts_foreign(provider, tmp_path):
    out = tmp_path / "out"
    assert run(provider, out, "--home-country", "NO") == 0
    assert set(cip_rows(out)) == {"t1", "t2", "t3"}


@pytest.mark.parametrize(
    "flag, value, message",
    [
        ("--home-country", "USA", "--home-country"),
        ("--training-threshold", "0", "--training-threshold"),
    ],
)
def test_bad_settings_exit_2_naming_the_option(provider, tmp_path, capsys, flag, value, message):
    assert run(provider, tmp_path / "out", flag, value) == 2
    err = capsys.readouterr().err
    assert message in err
    assert_no_traceback(err)


def test_a_downstream_file_without_reseller_id_is_a_clear_error(provider, tmp_path, capsys):
    write(provider["downstream"], ["customer_name", "customer_country"], [("Kunde AS", "NO")])
    assert run(provider, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "downstream.csv" in err and "reseller_id" in err
    assert_no_traceback(err)


def test_the_example_provider_writes_both_files(example_out):
    rows = cip_rows(example_out)
    assert {"t001260", "t001261", "t001262", "t001263", "t001264"} <= set(rows)
    assert "t001267" not in rows  # the US look-alike is not foreign
    assert (example_out / "training.jsonl").exists()
