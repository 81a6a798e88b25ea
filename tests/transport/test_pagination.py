"""Pagination styles, laziness and loop/origin guards against real servers."""

import pytest

from generic_connector.transport import (
    ApiKeyAuth,
    ConfigError,
    CursorPagination,
    FatalError,
    HttpClient,
    LinkHeaderPagination,
    NextLinkPagination,
    OffsetPagination,
    RetryPolicy,
    iterate_items,
    paginate,
)

from .servers import reply

ITEMS = [{"id": i, "name": f"item {i}"} for i in range(1, 24)]  # 23 items


def client_for(server, **kwargs):
    return HttpClient(server.url, retry=RetryPolicy(max_attempts=1), **kwargs)


def offset_api(items, total=False, cap=None):
    def handler(request):
        page = int(request.args["page"])
        size = min(int(request.args["per_page"]), cap or 10**6)
        chunk = items[(page - 1) * size : page * size]
        body = {"data": {"items": chunk}}
        if total:
            body["data"]["total"] = len(items)
        return reply(json=body)(request)

    return handler


def test_offset_pagination_is_lazy(server):
    server.route("/products", offset_api(ITEMS))
    pages = paginate(
        client_for(server),
        "/products",
        style=OffsetPagination(page_size=10),
        items_path="data.items",
    )
    assert server.count() == 0  # nothing fetched before iteration
    first = next(pages)
    assert server.count() == 1
    assert (first.number, len(first.items)) == (1, 10)
    assert first.response.status_code == 200
    next(pages)
    assert server.count() == 2
    rest = list(pages)
    # A short page is not the end (the server may cap the page size): with
    # no total announced, the walk ends on the empty page.
    assert [len(p.items) for p in rest] == [3, 0]
    assert server.count() == 4
    assert [hit.args["page"] for hit in server.hits] == ["1", "2", "3", "4"]


def test_offset_exact_multiple_stops_on_empty_page(server):
    server.route("/products", offset_api(ITEMS[:20]))
    ids = [
        item["id"]
        for item in iterate_items(
            client_for(server),
            "/products",
            style=OffsetPagination(page_size=10),
            items_path="data.items",
            params={"active": 1},
        )
    ]
    assert ids == list(range(1, 21))
    assert server.count() == 3
    assert all(hit.args["active"] == "1" for hit in server.hits)


def test_offset_with_total_survives_a_server_side_size_cap(server):
    server.route("/products", offset_api(ITEMS, total=True, cap=5))
    items = list(
        iterate_items(
            client_for(server),
            "/products",
            style=OffsetPagination(page_size=10, total_path="data.total"),
            items_path="data.items",
        )
    )
    assert len(items) == 23  # short pages of 5 did not stop the iteration
    assert server.count() == 5  # and the total did stop it, without an empty page


def test_offset_by_offset_steps(server):
    def handler(request):
        offset, limit = int(request.args["offset"]), int(request.args["limit"])
        return reply(json=ITEMS[offset : offset + limit])(request)

    server.route("/products", handler)
    style = OffsetPagination("offset", "limit", page_size=10, start=0, by_offset=True)
    items = list(
        iterate_items(client_for(server), "/products", style=style, items_path="")
    )
    assert len(items) == 23
    assert [hit.args["offset"] for hit in server.hits] == ["0", "10", "20", "23"]


def test_cursor_pagination(server):
    def handler(request):
        start = int(request.args.get("cursor", 0))
        limit = int(request.args["limit"])
        end = start + limit
        cursor = str(end) if end < len(ITEMS) else None
        body = {"data": {"items": ITEMS[start:end], "next_cursor": cursor}}
        return reply(json=body)(request)

    server.route("/products", handler)
    pages = list(
        paginate(
            client_for(server),
            "/products",
            style=CursorPagination(page_size=10),
            items_path="data.items",
        )
    )
    assert [len(p.items) for p in pages] == [10, 10, 3]
    assert [hit.args.get("cursor") for hit in server.hits] == [None, "10", "20"]


def test_repeated_cursor_is_a_loop(server):
    server.route(
        "/products",
        reply(json={"data": {"items": [{"id": 1}], "next_cursor": "A"}}),
        reply(json={"data": {"items": [{"id": 2}], "next_cursor": "B"}}),
        reply(json={"data": {"items": [{"id": 3}], "next_cursor": "A"}}),
    )
    pages = paginate(
        client_for(server),
        "/products",
        style=CursorPagination(),
        items_path="data.items",
    )
    with pytest.raises(FatalError, match="pagination loop"):
        list(pages)
    assert server.count() == 3


def link_api(server, items, size=10, next_base=None):
    def handler(request):
        page = int(request.args.get("page", 1))
        chunk = items[(page - 1) * size : page * size]
        headers = {}
        if page * size < len(items):
            base = next_base or server.url
            headers["Link"] = (
                f'<{base}/products?page={page + 1}&per_page={size}>; rel="next", '
                f'<{server.url}/products?page=1>; rel="first"'
            )
        return reply(json=chunk, headers=headers)(request)

    return handler


def test_link_header_pagination(server):
    server.route("/products", link_api(server, ITEMS))
    items = list(
        iterate_items(
            client_for(server),
            "/products",
            style=LinkHeaderPagination(page_size=10),
            items_path=None,
        )
    )
    assert [i["id"] for i in items] == list(range(1, 24))
    assert server.count() == 3
    assert server.hits[0].args == {"per_page": "10"}


def test_link_to_another_origin_is_refused(server, other_server):
    other_server.route("/products", reply(json=[]))
    server.route("/products", link_api(server, ITEMS, next_base=other_server.url))
    client = client_for(server, auth=ApiKeyAuth("key-abcdef"))
    pages = paginate(client, "/products", style=LinkHeaderPagination(), items_path=None)
    assert len(next(pages).items) == 10
    with pytest.raises(ConfigError, match="another origin"):
        next(pages)
    assert other_server.count() == 0  # the API key never went there


def test_page_repeating_previous_page_is_a_loop(server):
    # An API that ignores ?page= returns page 1 forever.
    server.route("/products", reply(json={"data": {"items": ITEMS[:10]}}))
    with pytest.raises(FatalError, match="page 2 repeats page 1"):
        list(
            paginate(
                client_for(server),
                "/products",
                style=OffsetPagination(page_size=10),
                items_path="data.items",
                max_pages=5,  # without the guard: fail fast, not 10,000 pages
            )
        )
    assert server.count() == 2


def test_repeat_detection_without_ids_uses_content(server):
    server.route("/products", reply(json=[{"sku": "A"}, {"sku": "B"}]))
    with pytest.raises(FatalError, match="repeats"):
        list(
            iterate_items(
                client_for(server),
                "/products",
                style=OffsetPagination(page_size=2),
                items_path="",
                max_pages=5,
            )
        )
    assert server.count() == 2


def test_max_pages_limit(server):
    server.route("/products", offset_api(ITEMS))
    pages = paginate(
        client_for(server),
        "/products",
        style=OffsetPagination(page_size=5),
        items_path="data.items",
        max_pages=2,
    )
    with pytest.raises(FatalError, match="more than 2 pages"):
        list(pages)
    assert server.count() == 2


def test_wrong_items_path_names_present_keys(server):
    server.route("/products", reply(json={"data": {"results": []}}))
    pages = paginate(
        client_for(server),
        "/products",
        style=OffsetPagination(),
        items_path="data.items",
    )
    with pytest.raises(FatalError, match="results"):
        next(pages)


def test_items_must_be_a_list(server):
    server.route("/products", reply(json={"data": {"items": {"id": 1}}}))
    with pytest.raises(FatalError, match="not a list"):
        next(
            paginate(
                client_for(server),
                "/products",
                style=OffsetPagination(),
                items_path="data.items",
            )
        )


def body_next_api(server, items, size=10, path="next", next_base=None):
    """Django REST framework's shape by default: ``{"count", "next",
    "results"}``; ``path`` places the link elsewhere (``links.next``...)."""

    def handler(request):
        page = int(request.args.get("page", 1))
        chunk = items[(page - 1) * size : page * size]
        link = None
        if page * size < len(items):
            base = next_base or server.url
            link = f"{base}/products/?page={page + 1}&per_page={size}"
        body = {"count": len(items), "results": chunk}
        node = body
        *parents, leaf = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = link
        return reply(json=body)(request)

    return handler


@pytest.mark.parametrize("path", ["next", "links.next", "_links.next.href"])
def test_next_link_in_the_body(server, path):
    server.route("/products/", body_next_api(server, ITEMS, path=path))
    items = list(
        iterate_items(
            client_for(server),
            "/products/",
            style=NextLinkPagination(path, page_size=10),
            items_path="results",
        )
    )
    assert [i["id"] for i in items] == list(range(1, 24))
    assert server.count() == 3
    assert server.hits[0].args == {"per_page": "10"}
    assert [hit.args.get("page") for hit in server.hits] == [None, "2", "3"]


def test_next_link_in_the_body_to_another_origin_is_refused(server, other_server):
    other_server.route("/products/", reply(json={"results": [], "next": None}))
    server.route("/products/", body_next_api(server, ITEMS, next_base=other_server.url))
    client = client_for(server, auth=ApiKeyAuth("key-abcdef"))
    pages = paginate(
        client, "/products/", style=NextLinkPagination("next"), items_path="results"
    )
    assert len(next(pages).items) == 10
    with pytest.raises(ConfigError, match="another origin"):
        next(pages)
    assert other_server.count() == 0  # the API key never went there


def test_next_link_with_a_total_knows_the_shortfall(server):
    server.route("/products/", body_next_api(server, ITEMS))
    pages = list(
        paginate(
            client_for(server),
            "/products/",
            style=NextLinkPagination("next", page_size=10, total_path="count"),
            items_path="results",
        )
    )
    assert (pages[-1].fetched, pages[-1].total) == (23, 23)
