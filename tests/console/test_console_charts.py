"""The case page's sign-in countries chart: inline SVG from the case's history, no script, tenant text escaped."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditor.console.charts import MAX_COUNTRIES, MAX_RUNS, signin_chart
from auditor.store import open_store
from console_testkit import sign_in


@dataclass
class Snap:
    run_id: str
    record: dict[str, Any] = field(default_factory=dict)
    restricted_gpu_hours_90d: float = 0.0


def snap(run_id: str, *tenants: dict[str, Any]) -> Snap:
    return Snap(run_id, {"tenants": list(tenants)})


def tenant(countries, count=10.0, share=0.0) -> dict[str, Any]:
    return {"signin_countries": countries, "signin_count_90d": count, "d5_signin_share": share}


def test_restricted_countries_come_first_and_each_run_is_a_column():
    chart = signin_chart(
        [
            snap("r1", tenant(["US", "DE"])),
            snap("r2", tenant(["US"]), tenant(["CN"], count=30.0, share=1.0)),
            snap("r3", tenant(["US", "MO"], count=20.0, share=0.5)),
        ]
    )
    assert [r.code for r in chart.rows] == [
        "CN",
        "MO",
        "US",
        "DE",
    ]  # D:5/Macau first, then most seen
    assert [r.restricted for r in chart.rows] == [True, True, False, False]
    cells = {(c.title, c.restricted) for c in chart.cells}
    assert ("CN in run r2", True) in cells and ("DE in run r1", False) in cells
    assert ("DE in run r2", False) not in cells and len(chart.cells) == 6
    assert chart.runs == 3 and chart.width == 36 + 3 * 14
    assert (chart.latest_signins, chart.latest_d5_percent) == (20, 50)
    xs = sorted({c.x for c in chart.cells})
    assert xs == [36, 50, 64]  # oldest run on the left


def test_the_chart_keeps_the_latest_runs_and_the_most_telling_countries():
    many = [f"C{i:02d}" for i in range(MAX_COUNTRIES + 5)]
    history = [snap(f"r{i}", tenant(many)) for i in range(MAX_RUNS + 10)]
    chart = signin_chart(history)
    assert chart.runs == MAX_RUNS and len(chart.rows) == MAX_COUNTRIES
    assert chart.more_countries == 5 and chart.cells[0].title.endswith("run r10")


def test_no_sign_ins_and_records_without_sign_in_fields_say_so():
    assert signin_chart([snap("r1", tenant([]))]).empty
    assert signin_chart([snap("r1", tenant(None, count=0.0, share=None))]).latest_d5_percent is None
    old = signin_chart([snap("r1", {"tenant_id": "t"})])
    assert not old.recorded and old.empty
    mixed = signin_chart([snap("r1", {"tenant_id": "t"}), snap("r2", tenant(["SG"]))])
    assert mixed.recorded and [c.title for c in mixed.cells] == ["SG in run r2"]


def test_the_case_page_draws_the_chart_as_svg_with_hostile_countries_escaped(app, store_path):
    with open_store(store_path) as st:
        (snapshot,) = st.case_history("C-000000")
    assert snapshot.record["tenants"][0]["signin_countries"] == ["CN", "US"]
    page = sign_in(app, "vic").get("/cases/C-000000").text
    chart = page[page.index('id="signin-chart"') :]
    chart = chart[: chart.index("</div>")]
    assert "<svg" in chart and "<script" not in chart
    assert "<title>CN in run run-1</title>" in chart and ">CN</text>" in chart
    assert "50% from D:5 countries or Macau" in chart


def test_a_tenant_supplied_country_cannot_inject_markup(tmp_path, password_hash):
    from auditor.console.app import create_app
    from auditor.console.common import ConsoleConfig
    from auditor.store import CaseSnapshot
    from team_testkit import case_record, team_store

    path = team_store(tmp_path / "h.db", 3)
    record = case_record(0, 3, "run-2")
    record["tenants"][0]["signin_countries"] = ['"><script>alert(1)</script>', "{{7*7}}"]
    with open_store(path) as st:
        run = st.latest_run()
        from dataclasses import replace

        st.commit_run(
            replace(run, run_id="run-2", manifest={"run_id": "run-2"}),
            [CaseSnapshot.from_record("run-2", record)],
        )
        st.add_user("vic", "viewer", password_hash, "setup")
    page = sign_in(create_app(ConsoleConfig(store=str(path))), "vic").get("/cases/C-000000").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "49" not in page.split('id="signin-chart"')[1].split("</div>")[0]
