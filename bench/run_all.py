"""Run every benchmark and write bench/RESULTS.md with the machine it ran on.

Each script prints its own figures and one "RESULT|what|ours|baseline|ratio|aim"
line per measurement; this collects them into a table.
Usage: python bench/run_all.py   (make bench; set RSVP_BENCH_DATABASE_URL for PostgreSQL)
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SCRIPTS = ["registration.py", "event_page.py", "speakers.py", "live.py", "outbox.py", "export.py",
           "sealing.py"]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def main() -> None:
    rows, logs = [], []
    for script in SCRIPTS:
        print(f"== {script}", flush=True)
        done = subprocess.run([sys.executable, str(BENCH / script)], capture_output=True,
                              text=True, cwd=BENCH, env={**os.environ, "RSVP_ENV": "testing"})
        lines = [line for line in done.stdout.splitlines() if "alembic" not in line]
        if done.returncode:
            lines.append(f"FAILED: {done.stderr.strip().splitlines()[-1:]}")
        for line in lines:
            if line.startswith("RESULT|"):
                rows.append(line.split("|")[1:])
            else:
                logs.append(line)
                print(line, flush=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    table = ["| benchmark | ours | baseline (same run) | ratio | aim |", "|---|---|---|---|---|"]
    table += [f"| {' | '.join(row)} |" for row in rows]
    (BENCH / "RESULTS.md").write_text(
        f"# Benchmark results\n\nRun {stamp} on {machine()} by `make bench`.\n"
        "Ratios compare with a baseline measured in the same run on the same machine.\n\n"
        + "\n".join(table) + "\n\n## Output\n\n```\n" + "\n".join(logs) + "\n```\n")
    print(f"wrote {BENCH / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
