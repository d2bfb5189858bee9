#!/usr/bin/env python3
"""The feed benchmark: a person's calendar feed of a year's sessions, served by a release build
of roster and, in the same run, the same bytes as a static file by nginx; wrk on loopback
against each. Prints a Markdown table.

    cargo build --release && python3 bench/feeds.py [--connections 64] [--seconds 20]

Needs wrk and nginx (apt-get install wrk nginx). The demo province's coming year is solved and
published first (about two minutes); the feed is that of the busiest person.
"""
import argparse
import collections
import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROSTER = os.path.join(HERE, "..", "target", "release", "roster")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    def __init__(self, base):
        self.base, self.headers = base, {}

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={**self.headers, "Content-Type": "application/json"})
        with urllib.request.urlopen(req) as resp:
            text = resp.read()
            return resp, (json.loads(text) if text else None)


def wait_until_up(api):
    for _ in range(600):
        try:
            api.call("GET", "/api/openapi.json")
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("roster did not start")


def publish_year(api, year):
    run = api.call("POST", "/api/v1/runs", {"from": f"{year}-01-01", "to": f"{year}-12-31",
                                           "time_limit_seconds": 120})[1]["id"]
    while True:
        r = api.call("GET", f"/api/v1/runs/{run}")[1]
        if r["status"] not in ("queued", "running"):
            break
        time.sleep(1)
    if r["status"] != "finished":
        sys.exit(f"run {run}: {r['status']}")
    api.call("POST", f"/api/v1/runs/{run}/publish", {})
    return r["draft"]["solver_status"]


def wrk(url, connections, seconds):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        sys.exit(f"{url}: {errors.group(1)} failed responses\n{out}")
    return rps, float(p99.group(1)) * scale


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--seconds", type=int, default=20)
    args = ap.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            sys.exit(f"{tool} is missing: apt-get install {tool}")
    year = datetime.date.today().year + 1
    with tempfile.TemporaryDirectory() as tmp:
        port, nginx_port = free_port(), free_port()
        roster = subprocess.Popen([ROSTER, "--database-url", f"sqlite://{tmp}/bench.db", "serve", "--demo",
                                   "--listen", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL)
        nginx = None
        try:
            api = Api(f"http://127.0.0.1:{port}")
            wait_until_up(api)
            resp, _ = api.call("POST", "/api/v1/auth/login", {"username": "admin", "password": "roster-demo"})
            api.headers["Cookie"] = resp.headers["Set-Cookie"].split(";")[0]
            status = publish_year(api, year)
            schedule = api.call("GET", f"/api/v1/schedule?from={year}-01-01&to={year}-12-31")[1]
            load = collections.Counter(p for s in schedule for p in s["person_ids"])
            person, sessions = load.most_common(1)[0]
            link = api.call("POST", f"/api/v1/people/{person}/feed", {})[1]["https"]
            with urllib.request.urlopen(link) as resp:
                body = resp.read()
            os.chmod(tmp, 0o755)  # nginx's workers run as another user
            os.makedirs(f"{tmp}/www")
            with open(f"{tmp}/www/feed.ics", "wb") as f:
                f.write(body)
            with open(f"{tmp}/nginx.conf", "w") as f:
                f.write(f"""daemon off; worker_processes auto; pid {tmp}/nginx.pid; error_log {tmp}/nginx.err;
events {{ worker_connections 1024; }}
http {{ access_log off; default_type text/calendar; charset utf-8; sendfile on;
  server {{ listen 127.0.0.1:{nginx_port}; root {tmp}/www;
    location / {{ add_header Cache-Control "private, max-age=3600"; }} }} }}
""")
            nginx = subprocess.Popen(["nginx", "-c", f"{tmp}/nginx.conf", "-p", tmp, "-e", f"{tmp}/nginx.err"])
            time.sleep(0.5)
            static = f"http://127.0.0.1:{nginx_port}/feed.ics"
            with urllib.request.urlopen(static) as resp:
                assert resp.read() == body
            for url in (link, static):  # warm-up
                wrk(url, args.connections, 2)
            roster_rps, roster_p99 = wrk(link, args.connections, args.seconds)
            nginx_rps, nginx_p99 = wrk(static, args.connections, args.seconds)
        finally:
            roster.terminate()
            if nginx:
                nginx.terminate()
    events = body.count(b"BEGIN:VEVENT")
    print(f"A person feed of {events} events ({sessions} sessions of {year}, year run {status}), "
          f"{len(body):,} bytes; wrk -t2 -c{args.connections} -d{args.seconds}s on loopback, 2 cores.\n")
    print("| server | requests/s | p99 latency |")
    print("|---|---|---|")
    print(f"| roster (release) | {roster_rps:,.0f} | {roster_p99:.2f} ms |")
    print(f"| nginx (static file) | {nginx_rps:,.0f} | {nginx_p99:.2f} ms |")
    print(f"\nroster ÷ nginx throughput: {roster_rps / nginx_rps:.2f}")


if __name__ == "__main__":
    main()
