"""The served tests' own footing: a port picked free and taken before the server bound it is a
race of the tests' making, so the servers start again on new ports instead of failing a journey."""

from __future__ import annotations

import socket

import httpx

from tests.served import conftest


def test_a_port_taken_before_the_server_binds_it_is_tried_again(app, tmp_path, monkeypatch):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    picks = iter([port])
    real = conftest.free_port
    monkeypatch.setattr(conftest, "free_port", lambda: next(picks, None) or real())
    try:
        served = conftest.launch(app, tmp_path / "served", "dev")
    finally:
        taken.close()
    try:
        assert not served.base_url.endswith(f":{port}")  # the second try, on a new port
        assert httpx.get(f"{served.base_url}/healthz").status_code == 200
        assert "address already in use" in (tmp_path / "served" / "web.log").read_text().lower()
    finally:
        conftest.stop(served.processes)
