"""The `rsvp` command on a fresh install: help and version before anything is configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rsvp import ROOT

RSVP = Path(sys.executable).with_name("rsvp")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    if not RSVP.exists():
        pytest.skip(f"{RSVP} not found: install the project (make install)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RSVP_", "FLASK_"))}
    return subprocess.run([str(RSVP), *args], env=env, capture_output=True, text=True, timeout=60,
                          cwd=ROOT.parent)


def test_help_on_a_fresh_install_lists_every_command_and_says_what_is_missing():
    result = run("--help")
    assert result.returncode == 0
    assert "Traceback" not in result.stdout + result.stderr
    assert "RSVP_SECRET_KEY is not set" in result.stderr
    for command in ("serve", "worker", "send-pending", "purge", "demo", "mailcatcher",
                    "create-organiser", "run"):
        assert f"  {command} " in result.stdout, command


def test_version_is_rsvps_own():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == "rsvp, version 0.1.0"
