"""Command line: ``python -m sandbox [options]``.

Flags are generated from :class:`~sandbox.config.SandboxConfig`, so each
option of ``SandboxServer`` has exactly one flag, documented by ``--help``.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import fields

from . import __version__
from .config import ENVELOPE_STYLES, FLAG_HELP, PAGINATION_STYLES, SandboxConfig
from .faults import KNOBS, parse_spec

DEFAULT_PORT = 8899

EPILOG = (
    "fault knobs: "
    + ", ".join(KNOBS)
    + ". Patterns: '*', 'GET /api/v1/products', '/graphql', 'webhooks', "
    "'webhooks:product.*'. Credentials: X-API-Key demo-api-key (readonly-api-key "
    "for read-only), Bearer demo-token, Basic demo:demo-password, OAuth2 "
    "demo-client/demo-secret at POST /oauth/token. Admin API at /admin "
    "(health, faults, settings, reset, simulate/*)."
)


def _endpoint_envelope(text: str) -> tuple[str, str]:
    pattern, sep, style = text.rpartition("=")
    if not sep or style not in ENVELOPE_STYLES:
        raise argparse.ArgumentTypeError(
            f"expected PATTERN=wrapped|nested, got {text!r}"
        )
    return pattern, style


def _fault(text: str) -> str:
    try:
        parse_spec(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="MyConnector sandbox: a fake commerce platform on 127.0.0.1.",
        epilog=EPILOG,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    defaults = SandboxConfig()
    special = {
        "port": {"type": int, "default": DEFAULT_PORT},
        "db": {"metavar": "FILE", "default": None},
        "pagination": {"choices": PAGINATION_STYLES, "default": defaults.pagination},
        "envelope": {"choices": ENVELOPE_STYLES, "default": defaults.envelope},
        "endpoint_envelopes": {
            "flag": "--endpoint-envelope",
            "action": "append",
            "type": _endpoint_envelope,
            "metavar": "PATTERN=STYLE",
            "default": [],
        },
        "faults": {
            "flag": "--fault",
            "action": "append",
            "type": _fault,
            "metavar": "PATTERN:KNOBS",
            "default": [],
        },
        "past_end_404": {"action": "store_true"},
        "trailing_slash": {"action": "store_true"},
        "webhook_allow_any_host": {"action": "store_true"},
        "access_log": {"action": "store_true"},
    }
    for item in fields(SandboxConfig):
        options = dict(special.get(item.name, {}))
        flag = options.pop("flag", "--" + item.name.replace("_", "-"))
        if not options:
            default = getattr(defaults, item.name)
            options = {"type": type(default), "default": default}
        parser.add_argument(flag, dest=item.name, help=FLAG_HELP[item.name], **options)
    parser.add_argument("--version", action="version", version=f"sandbox {__version__}")
    return parser


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    values = vars(args).copy()
    values["endpoint_envelopes"] = dict(values["endpoint_envelopes"])
    return SandboxConfig(**values)


def main(argv: Sequence[str] | None = None) -> int:
    from .server import SandboxServer

    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr
    )
    logging.getLogger("spyne").setLevel(logging.WARNING)  # its start-up chatter
    try:
        config = config_from_args(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    server = SandboxServer(**vars(config))
    try:
        server.start()
    except OSError as exc:
        print(
            f"error: cannot listen on 127.0.0.1:{config.port}: {exc}", file=sys.stderr
        )
        server.stop()
        return 1

    def _stop(_signum: int, _frame: object) -> None:
        # stop() joins the HTTP thread: never from the signal handler's frame.
        threading.Thread(target=server.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    store = server.store
    print(
        f"MyConnector sandbox listening on {server.url} "
        f"({len(store.products)} products, {len(store.customers)} customers, "
        f"{len(store.orders)} orders{', db ' + config.db if config.db else ''})",
        flush=True,
    )
    server.serve_forever()
    print("sandbox stopped", flush=True)
    return 0
