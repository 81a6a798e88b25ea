"""How an offset walk ends: never early without saying so.

Against real loopback servers shaped like the APIs met in the wild: a server
that caps the page size below the one asked, a collection that is an exact
multiple of the page size, a server answering 404 "Invalid page" past the
last page (Django REST framework), and an envelope announcing more records
than the walk can reach.
"""

from generic_connector.transport import (
    HttpClient,
    OffsetPagination,
    RetryPolicy,
    iterate_items,
    paginate,
)

from .servers import reply

ITEMS = [{"id": i} for i in range(1, 711)]  # 710 records


def client_for(server):
    return HttpClient(server.url, retry=RetryPolicy(max_attempts=1))


def api(items, *, cap=None, total=None, past_end_404=False):
    """``?page=&per_page=`` over ``items``; ``cap`` is the server's own page
    size limit, ``total`` what the envelope announces (None: no total)."""

    def handler(request):
        page = int(request.args["page"])
        size = min(int(request.args["per_page"]), cap or 10**6)
        start = (page - 1) * size
        if past_end_404 and page > 1 and start >= len(items):
            return reply(404, json={"detail": "Invalid page."})(request)
        body = {"data": {"items": items[start : start + size]}}
        if total is not None:
            body["data"]["total"] = total
        return reply(json=body)(request)

    return handler


def walk(server, style):
    return list(
        iterate_items(client_for(server), "/p", style=style, items_path="data.items")
    )


def test_a_capped_page_size_without_total_walks_to_the_empty_page(server):
    # Asked 100 a page, served 50: the first "short" page is not the end.
    server.route("/p", api(ITEMS, cap=50))
    assert len(walk(server, OffsetPagination(page_size=100))) == 710
    assert server.count() == 16  # 15 pages, then the empty one


def test_a_capped_page_size_with_total_stops_at_the_total(server):
    server.route("/p", api(ITEMS, cap=50, total=710))
    style = OffsetPagination(page_size=100, total_path="data.total")
    assert len(walk(server, style)) == 710
    assert server.count() == 15  # no call past the announced total


def test_an_exact_multiple_ends_on_invalid_page(server):
    # 700 records, 100 a page: page 8 answers 404 "Invalid page" (DRF).
    server.route("/p", api(ITEMS[:700], past_end_404=True))
    assert len(walk(server, OffsetPagination(page_size=100))) == 700
    assert server.count() == 8


def test_invalid_page_on_a_capped_walk_is_the_end_too(server):
    server.route("/p", api(ITEMS, cap=50, past_end_404=True))
    assert len(walk(server, OffsetPagination(page_size=300))) == 710


def test_a_walk_knows_what_was_announced_and_fetched(server):
    # The envelope announces 25, the collection holds 20: the walk ends on
    # the empty page and its last page says 20 fetched of 25 announced.
    server.route("/p", api(ITEMS[:20], total=25))
    pages = list(
        paginate(
            client_for(server),
            "/p",
            style=OffsetPagination(page_size=10, total_path="data.total"),
            items_path="data.items",
        )
    )
    assert (pages[-1].fetched, pages[-1].total) == (20, 25)
    assert [len(p.items) for p in pages] == [10, 10, 0]


def test_a_404_on_the_first_page_is_not_an_end(server):
    import pytest

    from generic_connector.transport import NotFoundError

    server.route("/p", reply(404, json={"detail": "Not found."}))
    with pytest.raises(NotFoundError):
        walk(server, OffsetPagination(page_size=10))
