"""The output folder changes whole: unique temporaries that never follow a planted link, private
modes unless the folder says otherwise, refusal of a file or a foreign folder, a located full-disk error."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.errors import OutputError
from auditor.report.folder import StagedFolder

NAMES = ("cases.jsonl", "report.md", "run.json")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def publish(out: Path, content: str = "new") -> dict[str, Path]:
    staged = StagedFolder(out, NAMES)
    for name in NAMES:
        staged.write(name, f"{name}: {content}\n")
    return staged.publish()


def test_planted_links_in_the_output_folder_are_never_followed(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victims = {
        name: tmp_path / f"victim-{name}"
        for name in ("report.md", "report.md.tmp", "cases.jsonl.tmp")
    }
    for link, victim in victims.items():
        victim.write_text("precious\n")
        (out / link).symlink_to(victim)
    written = publish(out)
    assert all(v.read_text() == "precious\n" for v in victims.values())
    assert sorted(p.name for p in out.iterdir()) == sorted(
        NAMES
    )  # the old links went with the old folder
    assert all(not p.is_symlink() for p in out.iterdir())
    assert written["report.md"].read_text() == "report.md: new\n"
    assert not [
        p for p in tmp_path.iterdir() if p.name.startswith(".out.")
    ]  # no staging or old folder left behind


def test_temporaries_have_unique_names_and_no_link_can_take_their_place(tmp_path, monkeypatch):
    out = tmp_path / "out"
    staged = StagedFolder(out, NAMES)
    other = StagedFolder(out, NAMES)
    assert staged.path != other.path and staged.path.parent == other.path.parent == tmp_path
    seen: list[str] = []
    real_replace = os.replace

    def watch(src, dst):
        seen.append(os.path.basename(src))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", watch)  # stdlib, only to read the temporary's name
    staged.write("report.md", "a")
    staged.write("report.md", "b")
    assert len(set(seen)) == 2 and all(
        s.startswith(".report.md.") and s.endswith(".tmp") for s in seen
    )
    other.discard()
    staged.discard()


def test_new_folders_and_files_are_private(tmp_path):
    out = tmp_path / "deep" / "out"
    written = publish(out)
    assert mode(out) == 0o700 and mode(out.parent) == 0o700
    assert {mode(p) for p in written.values()} == {0o600}


def test_an_existing_folder_keeps_the_mode_its_owner_gave_it(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o750)  # how a user configures group access
    written = publish(out)
    assert mode(out) == 0o750
    assert {mode(p) for p in written.values()} == {0o640}


def test_the_folder_is_swapped_whole(tmp_path):
    out = tmp_path / "out"
    publish(out, "first")
    staged = StagedFolder(out, NAMES)
    staged.write("cases.jsonl", "cases.jsonl: second\n")
    assert (
        out / "cases.jsonl"
    ).read_text() == "cases.jsonl: first\n"  # nothing visible before publish
    staged.discard()
    assert [p.read_text() for p in sorted(out.iterdir())] == [
        f"{n}: first\n" for n in sorted(NAMES)
    ]
    publish(out, "second")
    assert [p.read_text() for p in sorted(out.iterdir())] == [
        f"{n}: second\n" for n in sorted(NAMES)
    ]


def test_a_link_to_the_output_folder_stays_a_link(tmp_path):
    real = tmp_path / "real"
    publish(real, "first")
    link = tmp_path / "out"
    link.symlink_to(real)
    publish(link, "second")
    assert link.is_symlink() and (real / "run.json").read_text() == "run.json: second\n"


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda out: out.write_text("x"), "the output folder is a file; give a folder"),
        (
            lambda out: (out.mkdir(), (out / "thesis.docx").write_text("x")),
            "holds files auditor did not write (thesis.docx)",
        ),
    ],
)
def test_a_file_or_a_foreign_folder_is_refused_untouched(tmp_path, setup, message):
    out = tmp_path / "out"
    setup(out)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(OutputError, match=re.escape(message)) as caught:
        StagedFolder(out, NAMES)
    assert "out" in str(caught.value)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_the_current_folder_or_the_root_is_refused(tmp_path, monkeypatch):
    out = tmp_path / "out"
    (out / "inner").mkdir(parents=True)
    monkeypatch.chdir(out / "inner")
    for target in (Path("."), Path(".."), out):
        with pytest.raises(OutputError, match="holds the current folder"):
            StagedFolder(target, NAMES)
    publish(Path("../../sibling"))
    assert sorted(p.name for p in (tmp_path / "sibling").iterdir()) == sorted(NAMES)
    with pytest.raises(OutputError, match="root of the file system"):
        StagedFolder(Path("/"), NAMES)


def staging_left(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if p.name.startswith(".")]


def test_discard_and_a_failed_write_leave_nothing_behind(tmp_path):
    out = tmp_path / "out"
    staged = StagedFolder(out, NAMES)
    (staged.path / "report.md").mkdir()  # the rename into place fails: a folder holds the name
    with pytest.raises(OutputError, match="cannot write report.md"):
        staged.write("report.md", "x")
    assert [p.name for p in staged.path.iterdir()] == ["report.md"]  # its temporary is gone
    staged.discard()
    assert staging_left(tmp_path) == [] and not out.exists()


def test_without_an_atomic_exchange_the_swap_takes_two_renames(tmp_path, monkeypatch):
    out = tmp_path / "out"
    publish(out, "first")
    monkeypatch.setattr(sys, "platform", "darwin")  # no renameat2 there: the portable path
    publish(out, "second")
    assert [p.read_text() for p in sorted(out.iterdir())] == [
        f"{n}: second\n" for n in sorted(NAMES)
    ]
    assert staging_left(tmp_path) == []


def test_a_dead_runs_staging_folder_is_removed_and_a_live_ones_kept(tmp_path):
    out = tmp_path / "out"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    (tmp_path / f".out.staging-{dead.stdout.strip()}-abc").mkdir()
    live = tmp_path / f".out.staging-{os.getpid()}-def"
    live.mkdir()
    publish(out)
    assert staging_left(tmp_path) == [live.name]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_on_linux_the_old_and_new_folders_are_exchanged_in_one_step(tmp_path):
    """The folder a reader opens is never missing: one renameat2(RENAME_EXCHANGE) swaps the
    new folder in and the old one out."""
    from auditor.report.folder import _exchange

    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "run.json").write_text("old")
    (new / "run.json").write_text("new")
    assert _exchange(new, old) is True
    assert (old / "run.json").read_text() == "new" and (new / "run.json").read_text() == "old"


def test_a_file_that_cannot_reach_the_disk_fails_the_publish_and_nothing_is_swapped(
    tmp_path, monkeypatch
):
    """The files' fsyncs run beside the rendering; one that fails (EIO here, from the OS call
    itself) fails `publish` with the file's name, and the last run's folder stays."""
    out = tmp_path / "out"
    publish(out, "old")
    staged = StagedFolder(out, NAMES)
    real_fsync = os.fsync
    failing = []

    def fsync(fd):
        if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")) == "report.md":
            failing.append(fd)
            raise OSError(5, "Input/output error")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    for name in NAMES:
        staged.write(name, f"{name}: new\n")
    with pytest.raises(OutputError, match=r"cannot write report\.md: Input/output error"):
        staged.publish()
    assert failing, "the failing file's fsync ran"
    assert (out / "report.md").read_text() == "report.md: old\n"
    staged.discard()
    assert not staged.path.exists()


def test_publish_waits_for_every_file_and_its_folder_to_reach_the_disk(tmp_path, monkeypatch):
    out = tmp_path / "out"
    staged = StagedFolder(out, NAMES)
    synced = []
    real_fsync = os.fsync

    def fsync(fd):
        synced.append(os.path.basename(os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    for name in NAMES:
        staged.write(name, f"{name}\n")
    staged.publish()
    assert sorted(synced[:-1]) == sorted(NAMES) and synced[-1] == staged.path.name
    assert all((out / n).read_text() == f"{n}\n" for n in NAMES)


def test_copy_links_a_kept_file_in_with_the_folders_file_mode(tmp_path):
    kept = tmp_path / "kept.csv"
    kept.write_text("a,b\n")
    os.chmod(kept, 0o600)
    out = tmp_path / "out"
    out.mkdir(mode=0o750)
    os.chmod(out, 0o750)
    staged = StagedFolder(out, NAMES)
    staged.copy("report.md", kept)
    staged.write("run.json", "{}\n")
    written = staged.publish()
    assert set(written) == {"report.md", "run.json"}
    linked = out / "report.md"
    assert linked.read_text() == "a,b\n" and linked.stat().st_ino == kept.stat().st_ino
    assert mode(linked) == 0o640 == mode(out / "run.json")
