"""Command line, the process entry point, lifecycle and SQLite persistence."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from sandbox import SandboxConfig, SandboxServer
from sandbox.cli import build_parser, config_from_args
from sandbox.config import FLAG_HELP

REPO = Path(__file__).resolve().parents[2]
HEADERS = {"X-API-Key": "demo-api-key"}
FLAGS = [
    "--port",
    "--seed-records",
    "--seed",
    "--seed-payments",
    "--db",
    "--pagination",
    "--envelope",
    "--max-per-page",
    "--past-end-404",
    "--total-extra",
    "--trailing-slash",
    "--endpoint-envelope",
    "--token-ttl",
    "--rate-limit",
    "--rate-window",
    "--graphql-bucket-size",
    "--graphql-restore-rate",
    "--fault",
    "--fault-seed",
    "--webhook-retry-base",
    "--webhook-max-attempts",
    "--webhook-timeout",
    "--webhook-workers",
    "--webhook-allow-any-host",
    "--access-log",
    "--bulk-delay",
    "--version",
]


def _env():
    return {**os.environ, "PYTHONPATH": str(REPO)}


def test_help_lists_every_flag():
    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "--help"],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0
    for flag in FLAGS:
        assert flag in result.stdout, flag
    parser_flags = {s for a in build_parser()._actions for s in a.option_strings}
    assert parser_flags - {"-h", "--help"} == set(FLAGS)
    # Each SandboxServer option has a flag and help text.
    assert set(FLAG_HELP) == {f.name for f in dataclasses.fields(SandboxConfig)}


def test_flags_map_onto_the_config():
    args = build_parser().parse_args(
        [
            "--port",
            "0",
            "--seed-records",
            "5",
            "--pagination",
            "link",
            "--envelope",
            "nested",
            "--endpoint-envelope",
            "GET /api/v1/orders=wrapped",
            "--fault",
            "*:error_rate=0.1",
            "--fault",
            "webhooks:reorder=3",
            "--webhook-allow-any-host",
        ]
    )
    config = config_from_args(args)
    assert config.seed_records == 5 and config.pagination == "link"
    assert config.endpoint_envelopes == {"GET /api/v1/orders": "wrapped"}
    assert config.faults == ["*:error_rate=0.1", "webhooks:reorder=3"]
    assert config.webhook_allow_any_host is True
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--fault", "bad"])


def test_python_dash_m_serves_until_terminated():
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0", "--seed-records", "5"],
        cwd=REPO,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert "listening on http://127.0.0.1:" in line, line
        url = line.split("listening on ")[1].split()[0]
        assert requests.get(url + "/admin/health").json() == {"status": "ok"}
        body = requests.get(url + "/api/v1/products", headers=HEADERS).json()
        assert body["data"]["total"] == 5
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_start_stop_many_times_quickly():
    import time

    started = time.monotonic()
    for _ in range(10):
        with SandboxServer(seed_records=250) as server:
            assert requests.get(server.url + "/admin/health").ok
    assert time.monotonic() - started < 5
    with pytest.raises(RuntimeError):
        server.start()


def test_sqlite_persistence_across_restarts(tmp_path):
    db = str(tmp_path / "sandbox.db")
    with SandboxServer(seed_records=10, db=db) as first:
        created = requests.post(
            first.url + "/api/v1/products",
            headers=HEADERS,
            json={"title": "Kept", "price": "2"},
        ).json()["data"]
        changed = requests.patch(
            first.url + "/api/v1/products/3", headers=HEADERS, json={"title": "Changed"}
        ).json()["data"]
        requests.delete(first.url + "/api/v1/products/4", headers=HEADERS)
        requests.post(
            first.url + "/admin/simulate/stock",
            json={"sku": "SKU-00005", "location_id": 2, "available": 77},
        )
        hook = requests.post(
            first.url + "/api/v1/webhooks",
            headers=HEADERS,
            json={"url": "http://127.0.0.1:9/x"},
        ).json()["data"]
    # A different seed size is ignored: the file's data wins.
    with SandboxServer(seed_records=50, db=db) as second:
        get = lambda path: requests.get(second.url + path, headers=HEADERS)  # noqa: E731
        assert get(f"/api/v1/products/{created['id']}").json()["data"] == created
        assert get("/api/v1/products/3").json()["data"] == changed
        assert get("/api/v1/products/4").status_code == 404
        assert get("/api/v1/products").json()["data"]["total"] == 10
        levels = get("/api/v1/inventory_levels?sku=SKU-00005&location_id=2").json()
        assert levels["data"]["items"][0]["available"] == 77
        assert get(f"/api/v1/webhooks/{hook['id']}").json()["data"] == hook
        # Ids and timestamps continue where they stopped.
        newer = requests.post(
            second.url + "/api/v1/products",
            headers=HEADERS,
            json={"title": "Next", "price": "1"},
        ).json()["data"]
        assert newer["id"] == created["id"] + 1
        assert newer["updated_at"] > changed["updated_at"]
        # A reset reseeds the file too.
        requests.post(second.url + "/admin/reset", json={"seed_records": 3})
    with SandboxServer(db=db) as third:
        assert len(third.store.products) == 3
