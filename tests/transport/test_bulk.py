"""Bulk exports: start, poll with backoff, stream the JSON Lines file.

Against the sandbox platform on loopback (its ``/api/v1/bulk_operations``),
and a scripted server for a file the platform does not serve on demand (a
line that is not JSON).
"""

import json
import time
import tracemalloc

import pytest

from generic_connector.transport import (
    ApiKeyAuth,
    BulkExport,
    BulkExportFailedError,
    BulkExportTimeoutError,
    BulkWalk,
    FatalError,
    HttpClient,
    OffsetPagination,
    TransientError,
    bulk_pages,
    iterate_bulk,
    iterate_items,
)
from generic_connector.transport.bulk import LINE_CHUNK

from .servers import reply

FILE = "GET /api/v1/bulk_operations/*/file"


def client_for(url):
    return HttpClient(url, auth=ApiKeyAuth("demo-api-key"), sleep=lambda s: None)


def quick(**options):
    return BulkExport(poll_interval=0.02, **options)


def paged(client, resource):
    return list(
        iterate_items(
            client,
            f"/api/v1/{resource}",
            style=OffsetPagination(page_size=50, total_path="data.total"),
            items_path="data.items",
        )
    )


@pytest.mark.parametrize("resource", ["products", "customers", "orders"])
def test_bulk_gives_the_records_paging_gives(platform, resource):
    sandbox = platform(seed_records=30, bulk_delay=0.05)
    client = client_for(sandbox.url)
    walk = BulkWalk()
    records = list(iterate_bulk(client, resource, export=quick(), walk=walk))
    assert records == paged(client, resource)
    assert walk.complete and walk.shortfall() is None
    assert walk.announced == walk.fetched == len(records) > 0
    if resource == "products":
        assert all(record["variants"] for record in records)  # nested
    calls = sandbox.app.requests
    assert calls["POST /api/v1/bulk_operations"] == 1
    assert calls[f"GET /api/v1/bulk_operations/{walk.operation['id']}/file"] == 1


def test_nothing_is_sent_before_the_first_record_is_asked_for(platform):
    sandbox = platform(seed_records=5)
    records = iterate_bulk(client_for(sandbox.url), "products", export=quick())
    assert not sandbox.app.requests
    assert next(records)["id"] == 1


def test_polls_with_a_doubling_backoff_until_completed(platform):
    sandbox = platform(seed_records=5, bulk_delay=0.5)
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        time.sleep(seconds)

    export = BulkExport(poll_interval=0.05, max_poll_interval=0.2)
    walk = BulkWalk()
    assert (
        len(
            list(
                iterate_bulk(
                    client_for(sandbox.url),
                    "products",
                    export=export,
                    walk=walk,
                    sleep=sleep,
                )
            )
        )
        == 5
    )
    assert waits[:3] == [0.05, 0.1, 0.2]
    assert set(waits[3:]) <= {0.2}  # capped
    assert walk.polls == len(waits) + 1
    assert walk.operation["status"] == "completed"


def test_an_export_still_running_past_the_timeout_says_what_to_do(platform):
    sandbox = platform(seed_records=5, bulk_delay=3600)
    now = [0.0]

    def sleep(seconds):  # the test's own clock: no real wait
        now[0] += seconds

    export = BulkExport(poll_interval=1, max_poll_interval=8, timeout=60)
    records = iterate_bulk(
        client_for(sandbox.url),
        "products",
        export=export,
        sleep=sleep,
        clock=lambda: now[0],
    )
    with pytest.raises(BulkExportTimeoutError) as caught:
        next(records)
    assert isinstance(caught.value, TransientError)  # the job tries again later
    message = caught.value.summary  # the sentence an admin reads
    assert message.startswith("The platform's bulk export is not ready at ")
    assert "still running after 60 s" in message
    assert "allow a longer timeout, or read the resource page by page" in message
    assert now[0] <= 60


def test_an_export_that_failed_remotely_is_fatal(platform):
    sandbox = platform(seed_records=5, bulk_delay=0)
    sandbox.faults.add_rule("POST /api/v1/bulk_operations", bulk_fail_rate=1)
    export = quick(advice="untick 'Use bulk export' to page")
    with pytest.raises(BulkExportFailedError) as caught:
        list(iterate_bulk(client_for(sandbox.url), "products", export=export))
    assert isinstance(caught.value, FatalError)  # not retried: a person decides
    summary = caught.value.summary  # the sentence an admin reads
    assert summary.startswith("The platform's bulk export failed at ")
    assert "ended failed on the remote (INTERNAL_SERVER_ERROR)" in summary
    assert summary.endswith("or untick 'Use bulk export' to page.")


def test_a_file_shorter_than_announced_makes_a_partial_walk(platform):
    sandbox = platform(seed_records=30, bulk_delay=0)
    sandbox.faults.add_rule(FILE, bulk_truncate=4)
    walk = BulkWalk()
    pages = list(
        bulk_pages(
            client_for(sandbox.url), "products", page_size=10, export=quick(), walk=walk
        )
    )
    assert [len(page.items) for page in pages] == [10, 10, 6]
    assert pages[-1].total == 30 and pages[-1].fetched == 26
    assert not walk.complete
    assert walk.shortfall() == (
        "the bulk export of products announced 30 record(s) but its file held 26"
    )


def test_an_empty_export_is_one_empty_page_and_complete(platform):
    sandbox = platform(seed_records=0, bulk_delay=0)
    walk = BulkWalk()
    pages = list(
        bulk_pages(client_for(sandbox.url), "products", export=quick(), walk=walk)
    )
    assert len(pages) == 1 and pages[0].items == [] and pages[0].total == 0
    assert walk.complete


def test_a_bad_line_is_left_out_alone_and_the_walk_is_partial(server, caplog):
    operation = {
        "id": 7,
        "status": "completed",
        "object_count": 3,
        "url": f"{server.url}/file",
    }
    server.route("/ops", reply(201, json={"data": {"id": 7, "status": "created"}}))
    server.route("/ops/7", reply(json={"data": operation}))
    server.route("/file", reply(body=b'{"id": 1}\n{"id": 2, "tit\n\n{"id": 3}\n'))
    walk = BulkWalk()
    client = HttpClient(server.url, sleep=lambda s: None)
    records = list(
        iterate_bulk(
            client, "products", export=quick(operations_path="/ops"), walk=walk
        )
    )
    assert [record["id"] for record in records] == [1, 3]
    assert walk.bad_lines and walk.bad_lines[0][0] == 2
    assert "line 2" in walk.shortfall()
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "line 2 left out" in warnings[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)


def test_a_file_on_another_origin_is_refused(server, other_server):
    operation = {
        "id": 7,
        "status": "completed",
        "object_count": 1,
        "url": f"{other_server.url}/file",
    }
    server.route("/ops", reply(201, json={"data": {"id": 7, "status": "created"}}))
    server.route("/ops/7", reply(json={"data": operation}))
    client = HttpClient(server.url, sleep=lambda s: None)
    with pytest.raises(Exception, match="another origin"):
        list(iterate_bulk(client, "products", export=quick(operations_path="/ops")))
    assert other_server.count() == 0


def test_the_file_is_streamed_not_read_whole(platform):
    sandbox = platform(seed_records=1000, bulk_delay=0)
    collection = sandbox.store.collection("products")
    size = sum(len(collection.json(key)) + 1 for key in collection.select())
    assert size > 8 * LINE_CHUNK  # a file much larger than what is read at once
    walk = BulkWalk()
    records = iterate_bulk(
        client_for(sandbox.url), "products", export=quick(), walk=walk
    )
    assert next(records)["id"] == 1
    download = walk.download
    assert download._content is False  # requests did not read the body
    assert download.raw.tell() <= 2 * LINE_CHUNK  # one chunk or so off the socket
    records.close()  # a consumer stopping early closes the download
    assert download.raw.closed


def test_streaming_a_file_holds_one_chunk_not_the_file(platform):
    sandbox = platform(seed_records=1000, bulk_delay=0)
    collection = sandbox.store.collection("products")
    size = sum(len(collection.json(key)) + 1 for key in collection.select())
    client = client_for(sandbox.url)
    list(iterate_bulk(client, "products", export=quick()))  # warm the caches
    tracemalloc.start()
    try:
        count = sum(1 for _record in iterate_bulk(client, "products", export=quick()))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 1000
    # The whole file as bytes, its text and its records would be several
    # times ``size``; a streamed walk holds a chunk and a record.
    assert peak < size / 2, (peak, size)


def test_lines_are_whole_json_objects_the_same_as_a_record_read(platform):
    sandbox = platform(seed_records=3, bulk_delay=0)
    client = client_for(sandbox.url)
    records = list(iterate_bulk(client, "products", export=quick()))
    assert records[1] == client.get_json("/api/v1/products/2")["data"]
    assert json.loads(json.dumps(records[1])) == records[1]
