# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Hypothesis strategies for malformed remote data (tests only).

:data:`json_values` draws any JSON-like value, weighted towards what breaks
naive code: NUL characters, unpaired surrogates, huge and non-finite numbers,
very long strings, wrong types, nesting. :data:`SETTINGS` keeps a run short
and free of files (no example database) inside an Odoo test: 150 examples,
1,000 under ``make soak`` (``RELIABILITY_SCALE=soak``).
"""

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

NASTY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\ud800",
        "x\udfff",
        "é" * 300,
        "n/a",
        "NaN",
        "Infinity",
        "-1e999",
        "1e30",
        "0x10",
        "١٢٣",
        "2025-13-40T99:99:99Z",
    ]
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    NASTY_TEXT,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=8) | NASTY_TEXT, inner, max_size=3),
    max_leaves=6,
)

SETTINGS = settings(
    max_examples=1000 if os.environ.get("RELIABILITY_SCALE") == "soak" else 150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
