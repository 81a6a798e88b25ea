"""Reach into response envelopes with dotted paths.

APIs wrap their results differently: ``{"data": {"items": [...]}}``,
``{"response": {"result": {"items": [...]}}}``, or a bare list. The backend
configuration stores a dotted path (``"data.items"``) and ``extract`` follows
it. Integer segments index lists (``"data.items.0.id"``); an empty path or
``None`` means the payload itself.

A wrong path is a configuration mistake that otherwise shows up much later as
"0 records imported". So a missing segment raises ``FatalError`` naming the
path, where it broke, and the keys that *are* there: the integrator sees at
once that the envelope is ``results`` and not ``items``.
"""

from collections.abc import Mapping, Sequence

from .errors import FatalError


class _Missing:
    def __repr__(self):
        return "MISSING"


MISSING = _Missing()


def split_path(path) -> list[str]:
    """``"a.b.0"`` → ``["a", "b", "0"]``; sequences are taken as segments."""
    if path is None or path == "":
        return []
    if isinstance(path, str):
        return path.split(".")
    return [str(segment) for segment in path]


def extract(payload, path, default=MISSING):
    """The value at ``path`` in ``payload``; ``default`` if given and missing."""
    current = payload
    segments = split_path(path)
    for depth, segment in enumerate(segments):
        found, value = _step(current, segment)
        if not found:
            if default is not MISSING:
                return default
            where = ".".join(segments[:depth]) or "<root>"
            raise FatalError(
                f"envelope path {'.'.join(segments)!r} not found: "
                f"no {segment!r} at {where} ({_describe(current)}); "
                "check the backend's envelope/path settings"
            )
        current = value
    return current


def _step(container, segment: str):
    if isinstance(container, Mapping):
        if segment in container:
            return True, container[segment]
        return False, None
    if isinstance(container, Sequence) and not isinstance(container, str | bytes):
        try:
            return True, container[int(segment)]
        except (ValueError, IndexError):
            return False, None
    return False, None


def _describe(value) -> str:
    if isinstance(value, Mapping):
        keys = sorted(map(str, value))
        shown = ", ".join(keys[:20]) + (", ..." if len(keys) > 20 else "")
        return f"keys present: {shown}" if keys else "empty object"
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return f"a list of {len(value)} items"
    return f"{type(value).__name__} value, not an object or list"
