"""Object-storage servers on 127.0.0.1 for the storage tests: moto's S3 server and Azurite.

Each is started as a subprocess on a free loopback port and stopped after its module. A
server that cannot start skips its tests with the reason — except under CI (CI=true), where
`.ci/run` installs them, so there a missing server fails. Azurite comes from the npm
registry: `.ci/run` installs it under .ci/node (`npm install --prefix .ci/node azurite`);
AUDITOR_AZURITE names another `azurite-blob`. Imported by name, like connector_servers.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
AZURITE_ACCOUNT = "devstoreaccount1"
# Azurite's published development key (the emulator's, documented; not a secret).
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


def unavailable(reason: str) -> None:
    """Skip, saying why; under CI the server must be there, so fail."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; under CI (.ci/run installs it) it must start", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    workdir: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _start(name: str, argv: list[str], port: int) -> Iterator[Server]:
    workdir = Path(tempfile.mkdtemp(prefix=f"auditor-{name}-"))
    log = open(workdir / "server.log", "wb")  # noqa: SIM115 - the server writes to it until stopped
    try:
        process = subprocess.Popen(
            [a.replace("{dir}", str(workdir)) for a in argv],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    except OSError as exc:
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)
        unavailable(f"{name} cannot start: {exc}")
        return
    server = Server(f"http://127.0.0.1:{port}", process, workdir)
    try:
        if not _wait_for(port, process):
            tail = (workdir / "server.log").read_text(errors="replace")[-500:]
            unavailable(f"{name} did not start on 127.0.0.1:{port}: {tail}")
        yield server
    finally:
        server.stop()
        log.close()


@pytest.fixture(scope="module")
def moto_s3() -> Iterator[Server]:
    """moto's S3 server (`moto_server`, from the moto[server] dev extra)."""
    try:
        import moto.server  # noqa: F401
    except ImportError as exc:
        unavailable(f"moto[server] is not installed: {exc}")
    port = free_port()
    yield from _start(
        "moto", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], port
    )


def azurite_binary() -> str | None:
    for candidate in (
        os.environ.get("AUDITOR_AZURITE"),
        str(REPO / ".ci" / "node" / "node_modules" / ".bin" / "azurite-blob"),
        shutil.which("azurite-blob"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="module")
def azurite() -> Iterator[Server]:
    """Azurite's blob service, from the npm registry."""
    binary = azurite_binary()
    if binary is None or shutil.which("node") is None:
        unavailable(
            "Azurite is not installed (npm install --prefix .ci/node azurite, or set AUDITOR_AZURITE)"
        )
    port = free_port()
    argv = [
        str(binary),
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        str(port),
        "--location",
        "{dir}",
        "--disableTelemetry",  # otherwise it reports to a host outside this machine
        "--skipApiVersionCheck",
        "--silent",
    ]
    yield from _start("azurite", argv, port)


def azurite_connection_string(server: Server) -> str:
    return (
        f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
        f"BlobEndpoint={server.url}/{AZURITE_ACCOUNT};"
    )
