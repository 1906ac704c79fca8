"""Event page throughput under gunicorn: GET /events/<slug> against a bare Flask hello-world.

The page is a real seed event (description in Markdown, programme, partners,
times in three zones). wrk, 32 connections, 4 gunicorn workers, loopback.
Usage: python bench/event_page.py
"""

from __future__ import annotations

import http_bench as hb

SEED = """
from rsvp.demo import load_demo
load_demo()
"""
SLUG = "rights-at-risk-time-for-action"


def run(kind: str, url: str) -> list[str]:
    with hb.app_and_bare(kind, url, SEED) as servers:
        ours, bare = hb.compare(servers.base + f"/events/{SLUG}", servers.bare_base + "/hello")
    ratio = ours.rps / bare.rps
    return [f"event page GET, {kind}, {hb.CLIENTS} clients, {hb.WORKERS} gunicorn workers",
            f"  hello world: {bare.line()}",
            f"  event page:  {ours.line()}",
            f"  ratio {ratio:.2f} (aim >= 0.6)",
            f"RESULT|event page GET ({kind})|{ours.rps:.0f} req/s, p50 {ours.p50_ms:.1f} ms, "
            f"p99 {ours.p99_ms:.1f} ms, {ours.errors} errors|hello world {bare.rps:.0f} req/s|"
            f"{ratio:.2f}|>= 0.6"]


if __name__ == "__main__":
    for kind, url in hb.databases()[:1]:  # a read: the database adds little, SQLite suffices
        print("\n".join(run(kind, url)), flush=True)
