"""Admin API: the malformed-record knob and request statistics."""

import requests

from sandbox import SandboxServer


def test_corrupt_product_is_served_as_stored_and_announced():
    with SandboxServer(seed_records=3) as server:
        session = requests.Session()
        session.headers["X-API-Key"] = "demo-api-key"
        before = session.get(f"{server.url}/api/v1/products/2", timeout=5).json()[
            "data"
        ]
        answer = session.post(
            f"{server.url}/admin/corrupt",
            json={"product_id": 2, "fields": {"price": "n/a", "title": ""}},
            timeout=5,
        )
        assert answer.status_code == 200
        after = session.get(f"{server.url}/api/v1/products/2", timeout=5).json()["data"]
        assert (after["price"], after["title"]) == ("n/a", "")
        assert after["updated_at"] > before["updated_at"]
        bad = session.post(
            f"{server.url}/admin/corrupt", json={"product_id": "2"}, timeout=5
        )
        assert bad.status_code == 422


def test_stats_count_requests_per_endpoint():
    with SandboxServer(seed_records=250) as server:
        session = requests.Session()
        session.headers["X-API-Key"] = "demo-api-key"
        for page in (1, 2, 3):
            session.get(
                f"{server.url}/api/v1/products",
                params={"page": page, "per_page": 100},
                timeout=5,
            )
        stats = session.get(f"{server.url}/admin/stats", timeout=5).json()
        assert stats["requests"] == {"GET /api/v1/products": 3}
