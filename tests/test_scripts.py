"""scripts/python and scripts/_lib.sh: the program runs in the script's own process.

``scripts/python`` execs all the way down (bash, then ``unshare``, ``sh``, ``chroot``, ``env``,
``sh`` in the root filesystem, or the venv's python natively), so the PID a supervisor, a CI
timeout or Ctrl-C signals is the Python program's, and nothing is left running when it is killed.
``run_newest`` and friends return to their caller instead (scripts/test runs several in a row).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
import select
import signal
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parent.parent
# Prints its PID, working directory and the first PYTHONPATH entry, then waits to be signaled.
PROGRAM = (
    "import os, sys, time;"
    "print(os.getpid(), os.getcwd(), os.environ['PYTHONPATH'].split(':')[0], flush=True);"
    "time.sleep(120)"
)
START_TIMEOUT = 60  # seconds; the root filesystem's Python starts in about one


class Started:
    """A started process and the line its program printed."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT)
        line = proc.stdout.readline() if ready else ""
        assert line, "the program printed nothing"
        pid, self.cwd, self.pythonpath = line.split()
        self.pid = int(pid)

    def stop(self) -> None:
        """Kill what is still running: the script and, if it forked, the program it left."""
        if self.pid != self.proc.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def started() -> Iterator[list[Started]]:
    """Processes a test starts, killed at its end whatever happened."""
    processes: list[Started] = []
    yield processes
    for process in processes:
        process.stop()


def _start(
    args: list[str],
    started: list[Started],
    cwd: Path,
    env: dict[str, str] | None = None,
) -> Started:
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, cwd=cwd, env=env)
    try:
        process = Started(proc)
    except BaseException:
        proc.kill()
        proc.wait(10)
        raise
    started.append(process)
    return process


def _needs_setup() -> bool:
    """Whether scripts/python would run scripts/setup first (also inside the root filesystem,
    where the environments are not where _lib.sh looks for them)."""
    result = subprocess.run(
        ["bash", "-c", f"source {ROOT}/scripts/_lib.sh; needs_setup"],
        check=False,
        capture_output=True,
    )
    return result.returncode == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_scripts_python_is_the_program(
    started: list[Started], sig: signal.Signals
) -> None:
    """Signalling scripts/python's PID stops the program: they are the same process."""
    if _needs_setup():
        pytest.skip(
            "the newest environment is not set up where this runs (e.g. inside it)"
        )
    cwd = ROOT / "tests"
    process = _start(
        [str(ROOT / "scripts" / "python"), "-c", PROGRAM], started, cwd=cwd
    )
    assert process.pid == process.proc.pid
    assert process.cwd == str(cwd)
    assert process.pythonpath == str(ROOT)
    process.proc.send_signal(sig)
    # Default SIGTERM handling, and Python's KeyboardInterrupt exit for SIGINT: killed by it.
    assert process.proc.wait(30) == -sig


@pytest.fixture
def fake_native(tmp_path: Path) -> dict[str, str]:
    """An environment where _lib.sh finds a "native" Python 3.14 and venvs in a private cache.

    Each venv's python is this test's interpreter behind an exec wrapper, so the native code
    path runs in every test environment, without root or a root filesystem.
    """
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3.14").write_text(
        "#!/bin/sh\nexit 0\n"
    )  # "a python3.14 >= 3.14.2"
    (bin_dir / "python3.14").chmod(0o755)
    cache = tmp_path / "cache"
    for venv in ("venv-ha2026.10-py314", "venv-ha-latest-py314", "venv-oldest"):
        python = cache / venv / "bin" / "python"
        python.parent.mkdir(parents=True)
        python.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
        python.chmod(0o755)
    # Without pytest-cov's variables: the wrapped interpreter would otherwise measure itself
    # from another folder, without the project's branch setting, and spoil the combined data.
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "HP_EWS_FORCE_ROOTFS" and not k.startswith(("COV_CORE_", "COVERAGE_"))
    }
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    env["HP_EWS_CACHE"] = str(cache)
    return env


@pytest.mark.parametrize("function", ["exec_newest", "exec_latest", "exec_oldest"])
def test_exec_functions_replace_the_shell(
    started: list[Started], fake_native: dict[str, str], function: str
) -> None:
    """exec_*: the shell that calls it becomes the program, in the caller's directory."""
    cwd = ROOT / "simulator"
    script = f'source {ROOT}/scripts/_lib.sh; {function} python -c "$1"'
    process = _start(
        ["bash", "-c", script, "bash", PROGRAM], started, cwd=cwd, env=fake_native
    )
    assert process.pid == process.proc.pid
    assert process.cwd == str(cwd)
    assert process.pythonpath == str(ROOT)
    process.proc.send_signal(signal.SIGTERM)
    assert process.proc.wait(30) == -signal.SIGTERM


@pytest.mark.parametrize("function", ["run_newest", "run_latest", "run_oldest"])
def test_run_functions_return(
    tmp_path: Path, fake_native: dict[str, str], function: str
) -> None:
    """run_*: the caller goes on afterwards, in its own directory (scripts/test runs several).

    Called from outside the repository, the command runs in the repository's root.
    """
    script = (
        f'source {ROOT}/scripts/_lib.sh; {function} python -c "$1"; echo "after $PWD"'
    )
    program = "import os; print(os.getcwd())"
    result = subprocess.run(
        ["bash", "-c", script, "bash", program],
        cwd=tmp_path,
        env=fake_native,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.splitlines() == [str(ROOT), f"after {tmp_path}"]
