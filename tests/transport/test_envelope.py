"""Dotted-path extraction and its error messages."""

import pytest

from generic_connector.transport import FatalError, extract

PAYLOAD = {"data": {"items": [{"id": 1}, {"id": 2}], "meta": {"total": 2}}}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("data.items", [{"id": 1}, {"id": 2}]),
        ("data.items.1.id", 2),
        ("data.items.-1.id", 2),
        ("data.meta.total", 2),
        (["data", "meta"], {"total": 2}),
        ("", PAYLOAD),
        (None, PAYLOAD),
    ],
)
def test_extract(path, expected):
    assert extract(PAYLOAD, path) == expected


def test_bare_list_payload():
    assert extract([{"id": 1}], "0.id") == 1


def test_missing_key_names_path_and_present_keys():
    with pytest.raises(FatalError) as info:
        extract({"data": {"results": [], "meta": {}}}, "data.items")
    message = str(info.value)
    assert "'data.items'" in message
    assert "no 'items' at data" in message
    assert "meta, results" in message


def test_missing_index_and_scalar():
    with pytest.raises(FatalError, match="a list of 2 items"):
        extract(PAYLOAD, "data.items.5")
    with pytest.raises(FatalError, match="int value, not an object"):
        extract(PAYLOAD, "data.meta.total.x")
    with pytest.raises(FatalError, match="<root>"):
        extract({}, "response")


def test_default_instead_of_error():
    assert extract(PAYLOAD, "data.next_cursor", default=None) is None
    assert extract(PAYLOAD, "nope.deeper", default=0) == 0
