"""One local engine per home (issue 16 item 6): a second process asking for a home another process runs the
local engine in is refused at once, in one line naming the holder, before any JVM starts; the lock is the
OS's (flock), so a holder killed with SIGKILL leaves nothing stale behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import schemax
from schemax import local

pytestmark = pytest.mark.skipif(local.fcntl is None, reason="the home lock needs fcntl (POSIX)")

_HOLDER = """
import sys, time
from pathlib import Path
from schemax import local
local._claim_home(Path(sys.argv[1]))
print("held", flush=True)
time.sleep(600)
"""


def _hold(home: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", _HOLDER, str(home)], stdout=subprocess.PIPE, text=True,
                             env=env)
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    return child


def _no_jvm(*_: Any, **__: Any) -> list[str]:
    raise AssertionError("the refusal must come before the engine starts")


def test_a_second_process_on_the_same_home_is_refused_in_one_line_before_the_engine_starts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    (home / "warehouse").mkdir(parents=True)
    child = _hold(home)
    try:
        monkeypatch.setattr(local, "resolve_delta_jars", _no_jvm)
        # as in a fresh process: no session of this process (the suite's own, when the integration tests
        # run in the same pytest process) stands in front of the home check
        monkeypatch.setattr(local, "_session", None)
        with pytest.raises(schemax.LocalEngineBusyError) as err:
            local.spark_session(home)
        assert err.value.home == str(local.local_home(home))
        assert err.value.holder == str(child.pid)
        assert isinstance(err.value, schemax.EngineUnavailableError) and err.value.engine == "local"
        message = str(err.value)
        assert "\n" not in message and str(child.pid) in message and "SCHEMAX_LOCAL_HOME" in message
        assert local.local_home(home) not in local._held_homes  # nothing half-taken
    finally:
        child.kill()
        child.wait()


def test_a_holder_killed_with_sigkill_leaves_no_stale_lock(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    child = _hold(home)
    with pytest.raises(schemax.LocalEngineBusyError):
        local._claim_home(home)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    try:
        local._claim_home(home)  # the OS released the dead holder's lock
        assert home in local._held_homes
        assert (home / "engine.lock").read_text() == str(os.getpid())
        local._claim_home(home)  # this process asking again is no conflict
    finally:
        local._release_homes(home)
    assert home not in local._held_homes


def test_another_home_is_free_while_one_is_held(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    child = _hold(tmp_path / "a")
    try:
        (tmp_path / "b").mkdir()
        local._claim_home(tmp_path / "b")
        assert tmp_path / "b" in local._held_homes
    finally:
        local._release_homes(tmp_path / "b")
        child.kill()
        child.wait()
