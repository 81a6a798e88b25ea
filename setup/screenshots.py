"""Take the README's screenshots from a running `make run` instance.

    bash setup/screenshots.sh            # starts make run on spare ports, then this

or, against an instance you started yourself:

    python setup/screenshots.py --odoo http://127.0.0.1:8069 \
        --sandbox http://127.0.0.1:8070 --db myconnector_demo --out docs/screenshots

It logs in as admin over JSON-RPC, makes the demo show something (an import
run, one product corrupted remotely so a run is partial, a price change that
arrives as a webhook), waits for the job runner, then drives headless
Chromium over the DevTools protocol and saves one PNG per page: the
dashboard, the backend, a sync run and the inbox. Refresh them after a UI
change by running it again.
"""

import argparse
import base64
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import websocket

BROWSERS = ("google-chrome", "chromium", "chromium-browser", "google-chrome-stable")
TIMEOUT = 10


class Odoo:
    """A JSON-RPC session as admin."""

    def __init__(self, url, db, login="admin", password="admin"):
        self.url, self.http, self.ids = (
            url.rstrip("/"),
            requests.Session(),
            itertools.count(),
        )
        self.call_path(
            "/web/session/authenticate", db=db, login=login, password=password
        )

    def call_path(self, path, **params):
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": next(self.ids),
            "params": params,
        }
        answer = self.http.post(self.url + path, json=body, timeout=60).json()
        if answer.get("error"):
            raise RuntimeError(json.dumps(answer["error"], indent=1)[:2000])
        return answer["result"]

    def call(self, model, method, *args, **kwargs):
        return self.call_path(
            "/web/dataset/call_kw",
            model=model,
            method=method,
            args=list(args),
            kwargs=kwargs,
        )

    @property
    def session_id(self):
        return self.http.cookies.get("session_id")


def prepare(odoo, sandbox):
    """Make each page show something real; return (backend id, run id).

    A full import; then one product corrupted remotely (its webhook fails in
    the inbox, and the next import run is partial, naming it); then a price
    change that arrives as a webhook and is applied.
    """
    backend = odoo.call("myconnector.backend", "search", [("name", "=", "Sandbox")])[0]
    odoo.call("myconnector.backend", "action_reimport_products", [backend])
    wait_for_run(odoo, backend)
    admin(sandbox, "/admin/corrupt", {"product_id": 13, "fields": {"price": "n/a"}})
    time.sleep(2)  # its webhook's delivery and job
    odoo.call("myconnector.backend", "action_import_products", [backend])
    run = wait_for_run(odoo, backend)
    admin(sandbox, "/admin/simulate/price", {"product_id": 7, "price": "42.00"})
    time.sleep(3)  # the webhook's delivery and job
    return backend, run


def admin(sandbox, path, body):
    requests.post(sandbox + path, json=body, timeout=TIMEOUT).raise_for_status()


def wait_for_run(odoo, backend, timeout=180):
    """The id of the last import run of ``backend``, once it ended."""
    domain = [
        ("backend_model", "=", "myconnector.backend"),
        ("backend_id", "=", backend),
        ("trigger", "!=", "webhook"),
    ]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = odoo.call("generic.sync.run", "search_read", domain, ["state"], limit=1)
        if runs and runs[0]["state"] != "running":
            return runs[0]["id"]
        time.sleep(1)
    raise RuntimeError("the import run did not end: is the job runner running?")


class Browser:
    """Headless Chromium driven over the DevTools protocol."""

    def __init__(self, width=1280, height=860):
        binary = next(filter(None, map(shutil.which, BROWSERS)), None)
        if not binary:
            sys.exit("no Chrome/Chromium on the PATH: apt-get install chromium")
        self.profile = tempfile.mkdtemp(prefix="screenshots_chrome_")
        self.proc = subprocess.Popen(  # noqa: S603 - a browser found on the PATH
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--window-size={width},{height}",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.ws = websocket.create_connection(self._page_ws(), timeout=30)
        self.ids = itertools.count(1)

    def _page_ws(self):
        port_file = Path(self.profile) / "DevToolsActivePort"
        for _attempt in range(100):
            if port_file.exists() and port_file.read_text().strip():
                port = port_file.read_text().split()[0]
                pages = requests.get(f"http://127.0.0.1:{port}/json", timeout=TIMEOUT)
                targets = [p for p in pages.json() if p["type"] == "page"]
                if targets:
                    return targets[0]["webSocketDebuggerUrl"]
            time.sleep(0.1)
        raise RuntimeError("Chromium did not open its DevTools port")

    def send(self, method, **params):
        call_id = next(self.ids)
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == call_id:
                return message.get("result", {})

    def shoot(self, url, path, ready_selector, settle=1.5):
        self.send("Page.navigate", url=url)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = self.send(
                "Runtime.evaluate",
                expression=f"!!document.querySelector({json.dumps(ready_selector)})",
            )
            if found.get("result", {}).get("value"):
                break
            time.sleep(0.3)
        else:
            raise RuntimeError(f"{url}: {ready_selector} never showed")
        time.sleep(settle)  # fonts, badges, notifications
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        print(f"saved {path}")

    def close(self):
        self.ws.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--odoo", default="http://127.0.0.1:8069")
    parser.add_argument("--sandbox", default="http://127.0.0.1:8070")
    parser.add_argument("--db", default="myconnector_demo")
    parser.add_argument("--out", default="docs/screenshots", type=Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    odoo = Odoo(args.odoo, args.db)
    backend, run = prepare(odoo, args.sandbox.rstrip("/"))
    browser = Browser()
    try:
        browser.send("Network.enable")
        browser.send(
            "Network.setCookie",
            name="session_id",
            value=odoo.session_id,
            url=args.odoo,
        )
        web = args.odoo.rstrip("/") + "/web#"
        pages = [
            (
                "dashboard.png",
                "action=myconnector.myconnector_backend_dashboard_action",
                ".o_kanban_record",
            ),
            (
                "backend.png",
                f"model=myconnector.backend&id={backend}&view_type=form",
                ".o_form_view .o_field_widget[name=name]",
            ),
            (
                "sync_run.png",
                f"model=generic.sync.run&id={run}&view_type=form",
                ".o_form_view .o_field_widget[name=failure_ids]",
            ),
            (
                "sync_runs.png",
                "action=generic_connector.generic_sync_run_action",
                ".o_data_row",
            ),
            (
                "inbox.png",
                "action=generic_connector.generic_webhook_action",
                ".o_data_row",
            ),
        ]
        for name, fragment, selector in pages:
            browser.shoot(web + fragment, args.out / name, selector)
    finally:
        browser.close()


if __name__ == "__main__":
    main()
