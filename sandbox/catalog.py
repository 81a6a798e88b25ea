"""Product images and categories.

Images are 8x8 solid-colour PNGs made on request, never stored: the colour
follows from the image's name (``product-5``, ``variant-502``) and revision,
which the URL carries (``/api/v1/images/product-5.png?v=0``), so a record's
``image`` is all the state there is and it survives a restart with the
SQLite file. The ``checksum`` is the SHA-256 of the PNG served at the URL; a
new revision (``POST /admin/simulate/image``) has a new colour, hence new
content and a new checksum. Seeded images take one of a few colours, so
seeding 100,000 products builds a handful of PNGs.

Categories are a fixed tree (``id``, ``name``, ``parent_id``); each product
has a ``category_id``.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from functools import lru_cache
from typing import Any

CATEGORIES: list[dict[str, Any]] = [
    {"id": 1, "name": "Home", "parent_id": None},
    {"id": 2, "name": "Kitchen", "parent_id": 1},
    {"id": 3, "name": "Living Room", "parent_id": 1},
    {"id": 4, "name": "Outdoors", "parent_id": None},
    {"id": 5, "name": "Camping", "parent_id": 4},
    {"id": 6, "name": "Apparel", "parent_id": None},
]
CATEGORY_IDS = frozenset(c["id"] for c in CATEGORIES)
_LEAVES = (2, 3, 5, 6)
_PALETTE = [
    (r, g, b) for r in (40, 120, 200) for g in (40, 120, 200) for b in (60, 180)
]
IMAGE_PATH = "/api/v1/images/"
_NAME = re.compile(r"^(product|variant)-([1-9]\d{0,11})\.png$")


def seed_category(product_id: int) -> int:
    """The category of a seeded product: one of the leaves, by id."""
    return _LEAVES[product_id % len(_LEAVES)]


def has_own_image(variant_id: int) -> bool:
    """Whether a seeded variant has an image of its own (not its first,
    and one in two of the others)."""
    return variant_id % 100 > 1 and variant_id % 2 == 0


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


@lru_cache(maxsize=256)
def png(rgb: tuple[int, int, int]) -> bytes:
    """An 8x8 PNG of one colour."""
    row = b"\x00" + bytes(rgb) * 8
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
        + _chunk(b"IDAT", zlib.compress(row * 8))
        + _chunk(b"IEND", b"")
    )


def colour(name: str, revision: int) -> tuple[int, int, int]:
    """The colour of revision ``revision`` of image ``name``: from the
    palette first (a variant's never its product's), then any colour."""
    if revision == 0:
        kind, _, number = name.partition("-")
        record_id = int(number)
        if kind == "variant":
            product_id = record_id // 100
            index = product_id + 1 + (record_id % 100) % (len(_PALETTE) - 1)
        else:
            index = record_id
        return _PALETTE[index % len(_PALETTE)]
    digest = hashlib.sha256(f"{name}:{revision}".encode()).digest()
    return (digest[0], digest[1], digest[2])


@lru_cache(maxsize=256)
def _checksum(rgb: tuple[int, int, int]) -> str:
    return hashlib.sha256(png(rgb)).hexdigest()


def image(name: str, revision: int = 0) -> dict[str, Any]:
    """The ``image`` of a record: its URL (relative to the API's host) and
    the checksum of the PNG served there."""
    return {
        "url": f"{IMAGE_PATH}{name}.png?v={revision}",
        "checksum": _checksum(colour(name, revision)),
    }


def next_image(name: str, current: dict[str, Any] | None) -> dict[str, Any]:
    """The image after ``current``: the next revision, with another colour
    than the current one."""
    revision = 0
    if current:
        revision = int(str(current.get("url", "")).rpartition("v=")[2] or 0)
    while True:
        revision += 1
        new = image(name, revision)
        if not current or new["checksum"] != current.get("checksum"):
            return new


def parse_name(filename: str) -> tuple[str, int] | None:
    """``("product" | "variant", id)`` of an image file name, else None."""
    found = _NAME.match(filename)
    return (found.group(1), int(found.group(2))) if found else None
