# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Prometheus endpoint: ``GET /generic_connector/metrics``.

Off by default: it answers 404 until the system parameter
``generic_connector.metrics_token`` holds a token. Then a scraper sends it
as a bearer token (Prometheus' ``authorization: {credentials: ...}``); no
token is a 401, a wrong one a 403. The figures are
``generic_connector/metrics.py``'s, for every backend of the database.
"""

import hmac

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..metrics import render

TOKEN_PARAM = "generic_connector.metrics_token"


class MetricsController(http.Controller):
    @http.route(
        "/generic_connector/metrics",
        type="http",
        auth="none",
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def metrics(self, **kwargs):
        env = request.env(user=SUPERUSER_ID)
        expected = env["ir.config_parameter"].get_param(TOKEN_PARAM)
        if not expected:
            raise request.not_found()
        scheme, _sep, given = request.httprequest.headers.get(
            "Authorization", ""
        ).partition(" ")
        if scheme.lower() != "bearer" or not given:
            return request.make_response(
                "Metrics need a bearer token.\n",
                headers=[("WWW-Authenticate", 'Bearer realm="metrics"')],
                status=401,
            )
        if not hmac.compare_digest(given.strip().encode(), expected.encode()):
            return request.make_response("Wrong metrics token.\n", status=403)
        body, content_type = render(env)
        return request.make_response(body, headers=[("Content-Type", content_type)])
