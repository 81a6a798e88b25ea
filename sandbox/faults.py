"""Fault injection: rules keyed by endpoint pattern, drawn from one seeded RNG.

A rule is a pattern plus knobs. Patterns:

* ``"*"`` matches every API request (never ``/admin``) and every webhook;
* ``"GET /api/v1/products"`` matches that method and path (shell-style globs
  allowed in both parts: ``"* /api/v1/products/*"``);
* ``"/graphql"`` (no method) matches any method on that path;
* ``"webhooks"`` matches every webhook delivery, ``"webhooks:product.*"``
  those whose event type matches the glob.

When several rules match, their knobs are merged with the most specific rule
(the longest pattern once glob characters are removed) winning. Every random
draw comes from one ``random.Random(seed)`` behind a lock, so a sequential
test replays the same faults; a rate of 0 never consumes a draw.
"""

from __future__ import annotations

import fnmatch
import random
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any


def _rate(value: Any) -> float:
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise ValueError("must be between 0 and 1")
    return rate


def _non_negative(value: Any) -> float:
    number = float(value)
    if number < 0:
        raise ValueError("must be >= 0")
    return number


def _batch(value: Any) -> int:
    if isinstance(value, bool):
        return 3 if value else 0
    if isinstance(value, str) and value.lower() in ("true", "yes", "on"):
        return 3
    if isinstance(value, str) and value.lower() in ("false", "no", "off"):
        return 0
    size = int(value)
    if size < 0 or size == 1:
        raise ValueError("must be 0 (off) or a batch size >= 2 (true means 3)")
    return size


def _ids(value: Any) -> list[int]:
    if isinstance(value, str):
        value = [part for part in value.replace("|", " ").split() if part]
    if not isinstance(value, list):
        raise ValueError("must be a list of ids")
    return [int(item) for item in value]


KNOBS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "latency_ms": (_non_negative, "added delay before every matching response"),
    "error_rate": (_rate, "share of requests answered 500/502/503"),
    "rate_limit_rate": (_rate, "share of requests answered 429 with Retry-After"),
    "retry_after": (lambda v: int(_non_negative(v)), "Retry-After of injected 429s"),
    "drop_rate": (_rate, "share of connections closed without a response"),
    "timeout_rate": (_rate, "share of requests that hang before answering"),
    "hang_seconds": (_non_negative, "how long a hanging request sleeps"),
    "malformed_rate": (_rate, "share of 200s whose JSON body is truncated"),
    "duplicate_rate": (_rate, "share of webhook events delivered twice"),
    "reorder": (_batch, "webhook events held in batches of N and shuffled"),
    "field_error_rate": (_rate, "share of GraphQL description fields that fail"),
    "field_error_ids": (_ids, "product ids whose GraphQL description always fails"),
    "bulk_truncate": (
        lambda v: int(_non_negative(v)),
        "bulk export file: this many lines fewer than announced",
    ),
    "bulk_fail_rate": (_rate, "share of bulk exports that end failed"),
}
DEFAULTS = {"retry_after": 1, "hang_seconds": 10.0, "latency_ms": 0.0, "reorder": 0}


def parse_knobs(knobs: dict[str, Any]) -> dict[str, Any]:
    parsed = {}
    errors = []
    for name, value in knobs.items():
        if name not in KNOBS:
            errors.append(f"unknown knob {name!r}")
            continue
        try:
            parsed[name] = KNOBS[name][0](value)
        except (TypeError, ValueError) as exc:
            errors.append(f"{name}: {exc}")
    if errors:
        raise ValueError("; ".join(errors))
    return parsed


def parse_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """``'GET /api/v1/products:error_rate=0.2,latency_ms=50'`` -> pattern, knobs."""
    pattern, sep, knob_text = spec.rpartition(":")
    if not sep or not pattern.strip():
        raise ValueError(f"fault spec {spec!r} is not PATTERN:knob=value[,knob=value]")
    knobs = {}
    for item in knob_text.split(","):
        name, eq, value = item.partition("=")
        if not eq:
            raise ValueError(f"fault spec {spec!r}: {item!r} is not knob=value")
        knobs[name.strip()] = value.strip()
    return pattern.strip(), parse_knobs(knobs)


def _specificity(pattern: str) -> int:
    return len(pattern.replace("*", "").replace("?", ""))


class Faults:
    """The live fault configuration of one server (``srv.faults``)."""

    def __init__(self, rules: Any = None, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self.seed = seed
        self._rng = random.Random(seed)
        self._rules: dict[str, dict[str, Any]] = {}
        self.injected: Counter[str] = Counter()
        if rules:
            self.set_rules(rules)

    # -- configuration ---------------------------------------------------

    def set_rules(self, rules: Any, seed: int | None = None) -> None:
        """Replace all rules. ``rules``: list of CLI specs, a list of
        ``{"pattern": ..., knobs...}`` or a ``{pattern: {knobs}}`` mapping."""
        parsed = self._parse_rules(rules)
        with self._lock:
            self._rules = parsed
            if seed is not None:
                self.seed = seed
                self._rng = random.Random(seed)

    def add_rule(self, pattern: str, **knobs: Any) -> None:
        """Add or merge one rule: ``srv.faults.add_rule("*", error_rate=0.5)``."""
        parsed = parse_knobs(knobs)
        with self._lock:
            self._rules.setdefault(pattern, {}).update(parsed)

    def remove_rule(self, pattern: str) -> bool:
        with self._lock:
            return self._rules.pop(pattern, None) is not None

    def clear(self) -> None:
        with self._lock:
            self._rules = {}
            self.injected.clear()

    def reseed(self, seed: int | None = None) -> None:
        with self._lock:
            if seed is not None:
                self.seed = seed
            self._rng = random.Random(self.seed)

    @staticmethod
    def _parse_rules(rules: Any) -> dict[str, dict[str, Any]]:
        parsed: dict[str, dict[str, Any]] = {}
        if isinstance(rules, dict):
            items = [{"pattern": k, **(v or {})} for k, v in rules.items()]
        elif isinstance(rules, list):
            items = rules
        else:
            raise ValueError("rules must be a list or an object")
        for item in items:
            if isinstance(item, str):
                pattern, knobs = parse_spec(item)
            elif isinstance(item, dict) and isinstance(item.get("pattern"), str):
                knobs = parse_knobs({k: v for k, v in item.items() if k != "pattern"})
                pattern = item["pattern"]
            else:
                raise ValueError("each rule needs a string 'pattern'")
            parsed.setdefault(pattern, {}).update(knobs)
        return parsed

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "seed": self.seed,
                "rules": [{"pattern": p, **k} for p, k in self._rules.items()],
                "injected": dict(self.injected),
                "knobs": {name: doc for name, (_, doc) in KNOBS.items()},
            }

    # -- look-ups --------------------------------------------------------

    def for_request(self, method: str, path: str) -> dict[str, Any]:
        return self._merge(lambda p: _match_request(p, method, path))

    def for_webhook(self, event_type: str) -> dict[str, Any]:
        return self._merge(lambda p: _match_webhook(p, event_type))

    def _merge(self, matches: Callable[[str], bool]) -> dict[str, Any]:
        with self._lock:
            if not self._rules:
                return {}
            found = sorted((p for p in self._rules if matches(p)), key=_specificity)
            merged: dict[str, Any] = {}
            for pattern in found:
                merged.update(self._rules[pattern])
        if merged:
            for name, value in DEFAULTS.items():
                merged.setdefault(name, value)
        return merged

    # -- random draws ----------------------------------------------------

    def roll(self, knobs: dict[str, Any], name: str) -> bool:
        rate = knobs.get(name, 0.0)
        if rate <= 0:
            return False
        with self._lock:
            hit = self._rng.random() < rate
            if hit:
                self.injected[name] += 1
            return hit

    def choice(self, options: list[Any]) -> Any:
        with self._lock:
            return self._rng.choice(options)

    def shuffle(self, items: list[Any]) -> None:
        with self._lock:
            self._rng.shuffle(items)

    def count(self, name: str) -> None:
        with self._lock:
            self.injected[name] += 1


def _match_request(pattern: str, method: str, path: str) -> bool:
    if pattern == "*":
        return True
    if pattern.startswith("webhooks"):
        return False
    head, sep, tail = pattern.partition(" ")
    if sep:
        return fnmatch.fnmatchcase(method, head.upper()) and fnmatch.fnmatchcase(
            path, tail.strip()
        )
    return fnmatch.fnmatchcase(path, pattern)


def _match_webhook(pattern: str, event_type: str) -> bool:
    if pattern in ("*", "webhooks"):
        return True
    prefix, sep, glob = pattern.partition(":")
    return prefix == "webhooks" and bool(sep) and fnmatch.fnmatchcase(event_type, glob)
