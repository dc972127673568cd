"""`auditor audit`: collect inputs, score every tenant, write the review queue and report.

With a case store (`--store`), the run also says what changed since the last stored run and
exits with a code a scheduler can act on: 0 nothing new at or above the alert priority,
10 (EXIT_ALERT) when a new or escalated, not suppressed case reaches it, 4 when another
run holds the store, and the usual 2 / 3 / 1 for bad input, connector failure and bugs.

Nothing is lost between the commit and the exit: the run's alerts are committed `pending`
with it and marked delivered only once the summary is out, and a run whose alert never went
out (killed, standard output closed) has its alerts carried into the next run's exit 10.
Reports are staged beside the output folder and swapped in only after the commit, so the
folder never shows a run the store did not record, nor a mix of two runs.
"""

from __future__ import annotations

import dataclasses
import errno
import logging
import os
import sys
import time

import click

from auditor.cli.options import PathOrURL, audit_input_options, build_config
from auditor.cli.output import info, print_summary
from auditor.cli.safe_text import echo, plain
from auditor.cli.store_option import STORE
from auditor.errors import EXIT_ALERT, EXIT_OK, InputError, OutputError, Problem, StoreError

TOP_ALERTS = 20
log = logging.getLogger("auditor.store")


@click.command()
@audit_input_options
@click.option(
    "--out",
    type=PathOrURL(),
    help="Output folder (or s3://, gs://, az:// prefix): cases.jsonl, report.md, report.html, cases/hits CSV and Parquet, run.json.",
)
@click.option(
    "--max-link-group",
    type=int,
    default=None,
    help="Values shared by more tenants than this do not link them (default 50).",
)
@click.option(
    "--unknown-instance-types",
    type=click.Choice(["report", "error"]),
    default=None,
    help="GPU-looking types missing from the catalog: list them in the report (default) or fail with their rows.",
)
@click.option(
    "--store",
    type=STORE,
    default=None,
    help="Case store (SQLite file, created if absent, or a postgresql:// URL): classify against the last run and record this one.",
)
@click.option(
    "--alert-priority",
    type=click.Choice(["critical", "high", "medium", "low"]),
    default=None,
    help="With --store: exit 10 when a new or escalated, not suppressed case reaches this priority (default high).",
)
@click.option(
    "--report-cases",
    type=click.IntRange(min=1),
    default=None,
    help="Cases report.html and report.md show (default 500), plus every critical case and every alert; cases.jsonl/CSV/Parquet keep all.",
)
@click.option(
    "--training-threshold",
    "training_review_threshold",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Estimated training operations from which a foreign tenant is listed in training.jsonl for review (default 1e23).",
)
@click.option(
    "--no-reuse",
    "no_reuse",
    is_flag=True,
    default=False,
    help="With --store: compute the answer even when nothing changed since the last run (by default its answer is reused; run.json `reuse` says which).",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    help="With --store: seconds to wait for another run's store lock before exiting 4.",
)
def audit(
    config_path,
    out,
    max_link_group,
    unknown_instance_types,
    store,
    alert_priority,
    lock_timeout,
    report_cases,
    training_review_threshold,
    no_reuse,
    **inputs,
) -> int:
    """Score every tenant and write the prioritized review queue.

    Writes OUT/cases.jsonl (one case a line, in review order), OUT/report.md and
    OUT/report.html (for analysts), cases/hits as CSV and Parquet, and OUT/run.json (what
    was read, with checksums, and what was missing).
    When parts of the estate could not be read, prints `INCOMPLETE: N coverage gaps` to
    stderr and still exits 0.

    With --store (or `store:` in the config), each case also says what changed since the
    last stored run (new, escalated, de-escalated, unchanged; resolved cases in run.json),
    dismissed cases stay quiet until their date unless they worsen, and the exit code is
    10 when a new or escalated case reaches --alert-priority, 4 when another run holds the
    store. An alert whose summary never went out (the run was killed after its commit, or
    its standard output was closed) is repeated by the next run, with its exit 10.
    """
    from auditor.report import write_reports
    from auditor.report.write import check_out_dir
    from auditor.run import audit as run_audit

    config = build_config(
        config_path,
        out=out,
        max_link_group=max_link_group,
        unknown_instance_types=unknown_instance_types,
        store=store,
        alert_priority=alert_priority,
        report_cases=report_cases,
        training_review_threshold=training_review_threshold,
        reuse=False if no_reuse else None,
        **inputs,
    )
    if config.out is None:
        raise InputError("no output folder: give --out DIR or `out:` in the config")
    check_out_dir(
        config.out, config.storage
    )  # a file, or a folder of other files, fails now rather than after the run
    code = EXIT_OK
    if config.store is None:
        result = run_audit(config)
        written = write_reports(result, config.out)
        print_summary(result, written)
        if config.notify:  # the outbox lives in the store: without one nothing can be sent reliably
            echo(
                "warning: notify: channels are configured but there is no case store; nothing was sent (give --store)",
                err=True,
            )
    else:
        result, code = _audit_with_store(config, lock_timeout)
    _print_exclusions(result.inputs.exclusions)
    _print_allowlist(result)
    if not result.complete:
        # Still exit 0: the gaps are data the report states, not a failure of the command.
        # A scheduler that must not accept partial data checks this line or run.json's `complete`.
        echo(
            f"INCOMPLETE: {len(result.coverage_gaps)} coverage gaps; the cases cover only what was read (see report.md)",
            err=True,
        )
    return code


def _print_allowlist(result) -> None:
    """Allowlist entries expired (they no longer suppress) or expiring within 14 days, on stderr."""
    if result.allowlist is None:
        return
    from auditor.allowlist.apply import expiring_entries

    for item in expiring_entries(result.allowlist, result.started_at.date()):
        when = (
            f"expired on {item.until}; it no longer suppresses (remove or renew it)"
            if item.days_left <= 0
            else f"expires in {item.days_left} day(s), on {item.until}"
        )
        echo(f"ALLOWLIST: entry {plain(item.ref)} {when}", err=True)


def _print_exclusions(exclusions) -> None:
    """Rows set aside as impossible, on stderr beside INCOMPLETE: counts, reasons and row numbers, never their values."""
    for e in exclusions:
        rows = ", ".join(str(x["row"]) for x in e.examples)
        echo(
            f"EXCLUDED: {e.rows} {e.table} row(s) ({plain(e.reason)}): {plain(e.message)}; first rows: {rows} (run.json excluded_rows)",
            err=True,
        )


def _audit_with_store(config, lock_timeout: float):
    """Lock, run, classify against the last committed run, stage reports, commit, publish, deliver.

    The commit is one transaction holding the run, its cases and its alerts (pending): a
    run that dies before it leaves the store as it was, and the next run classifies against
    the same previous run again. The lock is held from before the previous run is read
    until the alert is delivered, so a second run exits 4 rather than interleaving.
    """
    from auditor.allowlist.apply import apply_with_store
    from auditor.cases.alerts import decide_alerts
    from auditor.cases.changes import classify_changes
    from auditor.notify.run_notices import notices_for_run, send_after_run
    from auditor.report import stage_reports
    from auditor.reuse.keep import forget_other_answers, keep_answer
    from auditor.reuse.lines import seed_reused_lines
    from auditor.report.write import restage_manifest
    from auditor.run import audit as run_audit
    from auditor.run import run_manifest
    from auditor.gcpause import collector_paused
    from auditor.jsonwrite import record_lines
    from auditor.stagelog import recorded_stage
    from auditor.store import CaseSnapshot, RunRecord, open_store

    # run.json `stages` of the store's own work, each also a -v stage line (with its CPU seconds);
    # the cyclic garbage collector waits while they build their many small objects (auditor.gcpause).
    stages: dict[str, float] = {}
    with recorded_stage("store.open", stages):
        store = open_store(config.store)
    try:
        with store.lock(lock_timeout):
            result = run_audit(config, store=store)
            stages = {**result.stages, **stages}
            with recorded_stage("records", stages), collector_paused():
                records = _records(result)  # once: the changes only add each record's `change`
                current = [CaseSnapshot.from_record(result.run_id, r) for r in records]
            with recorded_stage("store.read", stages), collector_paused():
                # The last run's cases without their records: classifying reads only their summaries.
                previous = store.latest_run()
                previous_cases = store.case_summaries_in_run(previous.run_id) if previous else []
                decisions = store.latest_decisions()
                undelivered = store.undelivered_alerts()
            with recorded_stage("classify", stages), collector_paused():
                changes = classify_changes(
                    previous_cases,
                    current,
                    decisions,
                    # Dismissals are dated on the analyst's calendar, so they are judged by the
                    # clock, not by the data's as_of (which a re-run of an old snapshot keeps).
                    as_of=result.started_at,
                    previous_run_id=previous.run_id if previous else None,
                    current_tenants=_still_present(result.inputs.tenants, previous_cases),
                )
                result, changes = apply_with_store(
                    store, result, changes, current
                )  # allowlist, if any
                result = dataclasses.replace(result, changes=changes)
                alerts = decide_alerts(changes, config.alert_priority, undelivered)
                records = [{**r, "change": changes.record_for(r["case_id"])} for r in records]
                if result.suppressions is not None:  # the allowlist's lifts changed who is silenced
                    records = [
                        {**r, "suppressed_by": result.suppressions.get(r["case_id"], [])}
                        for r in records
                    ]
            result = dataclasses.replace(result, stages=dict(stages))
            seed_reused_lines(result, records)  # a reused answer's lines, spliced (reuse.lines)
            staged = stage_reports(result, config.out, records=records, keep_lines=True)
            try:
                with recorded_stage("reuse.keep", stages):
                    # For the next run over the same files, with the reports that are the answer's alone.
                    result = keep_answer(result, records, staged)
                with recorded_stage("store.notices", stages), collector_paused():
                    # The records only gained `change` (and `suppressed_by`): the rest of each snapshot stands.
                    # Each record's text is its cases.jsonl line, serialised once (jsonwrite.record_lines).
                    snapshots = [
                        dataclasses.replace(
                            snapshot, record=record, record_json=line[:-1].decode("utf-8")
                        )
                        for snapshot, record, line in zip(
                            current, records, record_lines(records), strict=True
                        )
                    ]
                    notices = notices_for_run(store, result, changes, records)
                started = time.perf_counter()
                with recorded_stage("store.commit", stages), collector_paused():
                    store.commit_run(
                        RunRecord.from_manifest(run_manifest(result)),
                        snapshots,
                        [a.record() for a in alerts],
                        config.alert_priority,
                        notifications=notices.messages,
                        reported_dead=notices.reported_dead,
                        terms_from=_same_cases_as(previous, result),
                    )
                # run.json again, now that the commit it waited for is timed (it is not published yet).
                restage_manifest(
                    staged,
                    result,
                    {k: stages[k] for k in ("reuse.keep", "store.notices", "store.commit")},
                )
            except BaseException:
                staged.discard()  # the store never recorded this run, so its reports are not shown either
                raise
            finally:
                record_lines.forget()
            committed = time.perf_counter() - started
            forget_other_answers(result)  # only the latest committed run's answer can be reused
            try:
                written = staged.publish()
            except OutputError as exc:
                staged.discard()
                note = f"run {result.run_id} is recorded in the store; its alert stays pending and the next run repeats it"
                raise OutputError([*exc.problems, Problem(None, note)]) from None
            counts = changes.counts()
            log.info(
                "run=%s stage=store seconds=%.2f previous=%s cases=%d new=%d escalated=%d de_escalated=%d unchanged=%d resolved=%d suppressed=%d alerts=%d carried=%d",
                result.run_id,
                committed,
                changes.previous_run_id,
                len(snapshots),
                counts["new"],
                counts["escalated"],
                counts["de-escalated"],
                counts["unchanged"],
                counts["resolved"],
                counts["suppressed"],
                len(alerts),
                sum(a.raised_in is not None for a in alerts),
            )
            if _deliver(result, written, changes, alerts, config.alert_priority):
                try:
                    store.mark_alerts_delivered(result.run_id)
                except (
                    StoreError
                ) as exc:  # delivered all the same: say so, keep the alert's exit code
                    echo(f"warning: {exc}; the next run repeats this run's alert", err=True)
            # The outbox is delivered whether or not stdout took the summary: its rows are committed either way.
            for line in [*notices.lines, *send_after_run(store, config.notify)]:
                echo(plain(line), err=True)
    finally:
        store.close()
    return result, EXIT_ALERT if alerts else EXIT_OK


def _same_cases_as(previous, result) -> str | None:
    """The last run's id when its cases are this run's: this run reused the answer that run had."""
    reuse = result.reuse
    if previous is None or reuse is None or reuse.reused_from is None:
        return None
    earlier = previous.manifest.get("reuse") or {}
    return previous.run_id if earlier.get("bundle") == reuse.bundle else None


def _still_present(tenants, previous_cases) -> set[str]:
    """The last run's case tenants that are still in the tenants table: all that classifying a
    resolved case asks of it (a set of a million ids would cost more than the question)."""
    import polars as pl

    earlier = list({t for c in previous_cases for t in c.tenant_ids})
    ids = tenants["tenant_id"].cast(pl.String)
    return set(ids.filter(ids.is_in(earlier)).to_list())


def _records(result):
    """The run's case records: the earlier run's when its answer was reused, with this run's allowlist."""
    from auditor.report import case_records

    reused = result.reuse.records if result.reuse is not None else None
    if reused is None:
        return case_records(result)
    if result.suppressions is None:
        return reused
    return [{**r, "suppressed_by": result.suppressions.get(r["case_id"], [])} for r in reused]


def _deliver(result, written, changes, alerts, alert_priority: str) -> bool:
    """Prints the summary and the alerts; False when standard output is gone (the alert then stays pending)."""
    try:
        print_summary(result, written)
        _print_changes(changes, alerts, alert_priority)
        sys.stdout.flush()
    except (OSError, SystemExit) as exc:
        # rich answers a closed stdout with SystemExit(1) (Console.on_broken_pipe); click and print raise BrokenPipeError.
        if isinstance(exc, OSError) and exc.errno not in (errno.EPIPE, errno.EBADF):
            raise
        _silence_stdout()
        echo(
            f"error: standard output was closed before the summary was written; run {plain(result.run_id)}'s alert stays pending "
            "and the next run with this store repeats it",
            err=True,
        )
        return False
    return True


def _silence_stdout() -> None:
    """Points the closed stdout at /dev/null so the interpreter's final flush cannot fail again (Python's SIGPIPE recipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        pass


def _print_changes(changes, alerts, alert_priority: str) -> None:
    counts = changes.counts()
    since = (
        f"run {plain(changes.previous_run_id)}"
        if changes.previous_run_id
        else "an empty store (first run)"
    )
    info(
        f"changes since {since}: "
        + ", ".join(
            f"{counts[k]} {k}"
            for k in ("new", "escalated", "de-escalated", "unchanged", "resolved")
        )
        + f"; {counts['suppressed']} suppressed by dismissals"
    )
    if not alerts:
        info(f"no new or escalated case at or above {alert_priority}")
        return
    carried = sum(a.raised_in is not None for a in alerts)
    note = f" ({carried} carried from a run whose alert was never delivered)" if carried else ""
    # The alert is what a scheduled run exists for: printed under -q too.
    echo(f"ALERT: {len(alerts)} new or escalated case(s) at or above {alert_priority}{note}:")
    for change in alerts[:TOP_ALERTS]:
        why = "; ".join(plain(w) for w in change.why[:3])
        echo(
            f"  {plain(change.case_id)}  {change.status:<9}  {change.priority:<8}  {change.score:5.1f}  {why}"
        )
    if len(alerts) > TOP_ALERTS:
        echo(
            f"  ... and {len(alerts) - TOP_ALERTS} more (cases.jsonl, `auditor cases list --status new --status escalated`)"
        )
