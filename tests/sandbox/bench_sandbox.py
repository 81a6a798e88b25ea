"""Benchmark: 100-record pages per second served by the sandbox.

A script, not collected by pytest (the file name does not start with
``test_``). Run:

    python tests/sandbox/bench_sandbox.py [--seconds 5] [--records 1000]

Two measurements, each bounded in time (at most 10 s):

* in-process: ``SandboxServer`` in a thread, the client in the same process
  (one ``requests.Session``, keep-alive), so server and client share the GIL;
* own process: ``python -m sandbox`` in a child process, same client.

Each walks ``GET /api/v1/products?per_page=100`` pages round-robin and
prints pages/s and records/s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

HEADERS = {"X-API-Key": "demo-api-key"}


def measure(url: str, seconds: float, records: int) -> tuple[int, float]:
    session = requests.Session()
    session.trust_env = False
    session.headers.update(HEADERS)
    # Rate limits are per credential: raise them so the benchmark measures
    # serving, not the 429 path.
    requests.put(url + "/admin/settings", json={"rate_limit": 10**9})
    pages = max(1, records // 100)
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        response = session.get(
            url + "/api/v1/products",
            params={"per_page": 100, "page": count % pages + 1},
        )
        if response.status_code != 200 or len(response.json()["data"]["items"]) != 100:
            raise RuntimeError(f"unexpected response {response.status_code}")
        count += 1
    return count, time.perf_counter() - started


def report(label: str, count: int, elapsed: float) -> None:
    rate = count / elapsed
    print(
        f"{label:<14} {count:6d} pages in {elapsed:5.2f} s = {rate:8.1f} pages/s "
        f"({rate * 100:9.0f} records/s)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="per measurement, max 10"
    )
    parser.add_argument("--records", type=int, default=1000, help="seeded products")
    args = parser.parse_args()
    seconds = min(args.seconds, 10.0)

    from sandbox import SandboxServer

    started = time.perf_counter()
    with SandboxServer(seed_records=args.records) as server:
        startup = time.perf_counter() - started
        print(f"startup with {args.records} records: {startup * 1000:.0f} ms")
        report("in-process", *measure(server.url, seconds, args.records))

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox",
            "--port",
            "0",
            "--seed-records",
            str(args.records),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.split("listening on ")[1].split()[0]
        report("own process", *measure(url, seconds, args.records))
    finally:
        process.terminate()
        process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
