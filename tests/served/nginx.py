"""nginx in front of the app as deploy/nginx/rsvp.conf ships it, on a run's own ports, certificate
and folders: for the served tests (conftest.launch) and the benchmarks (bench/live.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from rsvp import ROOT
from tests.mail.conftest import free_port


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, for this run only: ECDSA, as
    Let's Encrypt issues by default, whose handshakes cost nginx a fraction of RSA's (a benchmark
    opens thousands of connections at once)."""
    cert, key = folder / "tls.crt", folder / "tls.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


#: The nchan module (Debian's libnginx-mod-nchan): the shipped site's push locations need it.
NCHAN_MODULE = Path("/usr/lib/nginx/modules/ngx_nchan_module.so")


def site_file(tls_port: int, app_ports: list[int], certificate: tuple[Path, Path], cache: Path,
              log: bool = True, publish_port: int | None = None) -> str:
    """deploy/nginx/rsvp.conf as shipped, on this run's ports, certificate and cache folder, with
    one upstream server line per app server; ``log``: which server answered each request, in
    access.log next to the cache (tests read it; the shipped site logs nothing);
    ``publish_port``: the loopback port of the push publisher (RSVP_LIVE_PUBLISH_URL), else any free."""
    text = (ROOT / "deploy" / "nginx" / "rsvp.conf").read_text()
    upstream = "".join(f"    server 127.0.0.1:{port};\n" for port in app_ports)
    for shipped, here in [
            ("listen [::]:443 ssl;", ""), ("listen [::]:80;", ""),
            ("listen 443 ssl;", f"listen 127.0.0.1:{tls_port} ssl;"),
            ("listen 80;", f"listen 127.0.0.1:{free_port()};"),
            ("listen 127.0.0.1:8091;", f"listen 127.0.0.1:{publish_port or free_port()};"),
            ("    server 127.0.0.1:8000;\n", upstream),
            ("/var/lib/nginx/rsvp-live", str(cache)),
            ("access_log off;", f"access_log {cache.parent / 'access.log'} upstreams;" if log
             else "access_log off;"),
            ("/etc/letsencrypt/live/rsvp.example.org/fullchain.pem", str(certificate[0])),
            ("/etc/letsencrypt/live/rsvp.example.org/privkey.pem", str(certificate[1]))]:
        assert shipped in text, f"deploy/nginx/rsvp.conf no longer has {shipped!r}"
        text = text.replace(shipped, here)
    return text


def start_nginx(folder: Path, tls_port: int, app_ports: list[int], certificate: tuple[Path, Path],
                connections: int = 512, log: bool = True, extra: str = "",
                publish_port: int | None = None) -> Process:
    """nginx with the shipped site in ``folder``/nginx; ``connections`` at once (its events block:
    512 by default, as in the tests), ``extra`` more of the http block (a benchmark's own server),
    ``publish_port`` the push publisher's (see site_file)."""
    prefix = folder / "nginx"
    prefix.mkdir()
    (prefix / "rsvp.conf").write_text(site_file(tls_port, app_ports, certificate, prefix / "live-cache", log,
                                                publish_port))
    temp = "".join(f"{name}_temp_path {prefix / name};\n"
                   for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (prefix / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + (f"load_module {NCHAN_MODULE};\n" if NCHAN_MODULE.exists() else "")
        + f"daemon off;\nworker_processes 1;\nworker_rlimit_nofile {2 * connections + 64};\n"
        f"pid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} warn;\n"
        f"events {{ worker_connections {connections}; }}\n"
        f"http {{\n{temp}{extra}\nlog_format upstreams '$upstream_addr $upstream_cache_status $status "
        f"$request_method $uri';\ninclude {prefix / 'rsvp.conf'};\n}}\n")
    return start_program("nginx", [which("nginx") or "", "-p", str(prefix), "-c",
                                   str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")],
                         folder)


def start_program(name: str, args: list[str], folder: Path) -> Process:
    log = folder / f"{name}.log"
    popen = subprocess.Popen(args, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                             start_new_session=True)
    return Process(name, popen, log)


def which(program: str) -> str | None:
    return shutil.which(program) or next(
        (str(p) for p in (Path("/usr/sbin") / program, Path("/sbin") / program) if p.exists()), None)
