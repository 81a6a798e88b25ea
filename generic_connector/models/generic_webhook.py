# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The webhook inbox: every delivery a remote platform posts, kept.

The controller of a connector stores each verified delivery here and enqueues
its processing job in the same transaction, then answers at once. A unique
constraint on (backend, delivery id), not the job's identity key, is what
makes a redelivery a no-op: the second insert finds the row and the
controller answers 200 without a second job.

Processing is delegated to the backend (``_webhook_process``), which should
re-fetch the record from the API rather than trust the payload: whatever the
order the events arrive in, the final state is the newest remote one.
Processing is safe to run twice (at-least-once delivery of jobs).
"""

import json
import logging

from odoo import _, api, fields, models
from odoo.tools import SQL

from odoo.addons.queue_job.exception import RetryableJobError

from .. import queue_job_fastpath
from ..exceptions import unstorable_reason
from ..transport import redact_headers

_logger = logging.getLogger(__name__)

FINAL_STATES = ("done", "ignored", "duplicate", "covered")
MAX_SUBJECT_LENGTH = 255
# In the text of a covered row, replaced by its cover's delivery id.
DELIVERY_MARK = "{delivery}"
# The pending event of a subject whose job has not started (queue_job commits
# a job's ``started`` state before running it, so a job seen not started
# reads the remote after this statement).
COVER_QUERY = """
    SELECT w.delivery_id FROM generic_webhook w
    JOIN queue_job j ON j.id = w.job_id
    WHERE w.backend_model = %(backend_model)s AND w.backend_id = %(backend_id)s
      AND w.subject = %(subject)s AND w.state = 'pending'
      AND j.state IN ('pending', 'enqueued')
    ORDER BY w.id LIMIT 1
"""
# The job a new delivery of the backend joins (see ``_receive``): that of its
# newest pending event, while the job has not started and holds fewer than
# %(batch_size)s events. FOR SHARE holds the job's row until the delivery
# commits: queue_job's update of the job to ``started`` waits for it, so the
# job sees every event that joined it; a job that started meanwhile is
# re-read in its new state and not joined.
BATCH_QUERY = """
    SELECT j.id AS job_id FROM queue_job j
    WHERE j.id = (
        SELECT w.job_id FROM generic_webhook w
        WHERE w.backend_model = %(backend_model)s AND w.backend_id = %(backend_id)s
          AND w.state = 'pending' AND w.job_id IS NOT NULL
        ORDER BY w.id DESC LIMIT 1
    )
      AND j.state IN ('pending', 'enqueued')
      AND (SELECT count(*) FROM generic_webhook x WHERE x.job_id = j.id)
          < %(batch_size)s
    FOR SHARE OF j
"""
# One new delivery: its row (covered; pending in the job it joins; pending
# with a new job), its first receipt and its new queue_job row (see
# ``_insert_delivery_with_job``; the job's insert is queue_job_fastpath's,
# from ``inserted``, whose ``job_id`` is set for a new job only).
INSERT_WITH_JOB_QUERY = (
    """
    WITH ids AS (
        SELECT nextval('generic_webhook_id_seq') AS id,
               nextval('queue_job_id_seq') AS job_id
    ), cover AS ("""
    + COVER_QUERY
    + """), batch AS ("""
    + BATCH_QUERY
    + """), stored AS (
        INSERT INTO generic_webhook (
            id, job_id, backend_model, backend_id, delivery_id, event_id,
            event_type, subject, payload, headers, state, result,
            company_id, received_at, processed_at,
            create_uid, create_date, write_uid, write_date
        )
        SELECT
            ids.id,
            CASE WHEN cover.delivery_id IS NULL
                 THEN COALESCE(batch.job_id, ids.job_id) END,
            %(backend_model)s, %(backend_id)s, %(delivery_id)s,
            %(event_id)s, %(event_type)s, %(subject)s, %(payload)s,
            %(headers)s,
            CASE WHEN cover.delivery_id IS NULL THEN 'pending'
                 ELSE 'covered' END,
            replace(%(covered)s, %(mark)s, cover.delivery_id),
            %(company_id)s, now() at time zone 'UTC',
            CASE WHEN cover.delivery_id IS NOT NULL
                 THEN now() at time zone 'UTC' END,
            %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
        FROM ids LEFT JOIN cover ON true LEFT JOIN batch ON true
        ON CONFLICT DO NOTHING
        RETURNING id, job_id
    ), inserted AS (
        SELECT stored.id,
               CASE WHEN stored.job_id = ids.job_id THEN stored.job_id END AS job_id
        FROM stored, ids
    ), receipt AS (
        INSERT INTO generic_webhook_receipt (webhook_id, received_at)
        SELECT id, now() at time zone 'UTC' FROM inserted
    ), """
    + queue_job_fastpath.JOB_INSERT_CTE
    + """
    SELECT id FROM inserted
    """
)


def subject_of(kind, external_id):
    """``"<kind>:<external id>"``, the subject of an event about one remote
    record (see ``generic.webhook.subject``), or None when the id is not one
    (not text or a number, or text PostgreSQL would refuse, or too long)."""
    if isinstance(external_id, bool) or not isinstance(external_id, str | int):
        return None
    subject = f"{kind}:{external_id}"
    if not str(external_id).strip() or len(subject) > MAX_SUBJECT_LENGTH:
        return None
    return None if unstorable_reason(subject) else subject


class GenericWebhook(models.Model):
    _name = "generic.webhook"
    _inherit = "generic.backend.owned"
    _description = "Webhook Inbox"
    _order = "received_at desc, id desc"
    _rec_name = "delivery_id"

    delivery_id = fields.Char(string="Delivery ID", required=True, readonly=True)
    event_id = fields.Char(
        string="Event ID",
        index=True,
        readonly=True,
        help="The event's own id, when the platform sends one besides the "
        "delivery id: a second delivery of the same event is kept as a "
        "duplicate, with no job.",
    )
    receipt_ids = fields.One2many(
        "generic.webhook.receipt", "webhook_id", string="Receipts", readonly=True
    )
    # The inverse of the failures' webhook: a write of the events' state
    # finds the failures to recompute through it, one query for all the
    # events of a job (read together), not a search per event.
    failure_ids = fields.One2many(
        "generic.sync.run.failure", "webhook_id", string="Failures", readonly=True
    )
    delivery_count = fields.Integer(
        compute="_compute_delivery_count",
        help="Times this delivery id was received (one receipt each).",
    )
    event_type = fields.Char(index=True, readonly=True)
    subject = fields.Char(
        readonly=True,
        help="What the event is about (product:42), when its processing reads "
        "that record again from the remote: a delivery arriving while an "
        "event of the same subject still waits for its job is covered by that "
        "job, which reads the newest state, and gets no job of its own.",
    )
    payload = fields.Text(readonly=True, help="The raw body, as received.")
    payload_pretty = fields.Text(
        compute="_compute_payload_pretty", string="Payload (formatted)"
    )
    headers = fields.Text(readonly=True, help="Request headers, secrets removed.")
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("processing", "Processing"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("ignored", "Ignored"),
            ("duplicate", "Duplicate"),
            ("covered", "Covered"),
        ],
        default="pending",
        required=True,
        index=True,
        readonly=True,
    )
    error = fields.Text(readonly=True)
    result = fields.Char(readonly=True)
    job_id = fields.Many2one("queue.job", readonly=True, index=True)
    job_state = fields.Selection(related="job_id.state", string="Job State")
    received_at = fields.Datetime(
        default=fields.Datetime.now, required=True, readonly=True
    )
    processed_at = fields.Datetime(readonly=True)

    _sql_constraints = [
        (
            "delivery_uniq",
            "unique(backend_model, backend_id, delivery_id)",
            "This delivery was already received for this backend.",
        )
    ]

    def _register_hook(self):
        # queue_job's version is checked at start, so that its WARNING shows
        # in the server's log before the first webhook.
        queue_job_fastpath.check_version(self.pool)
        return super()._register_hook()

    @api.depends("payload")
    def _compute_payload_pretty(self):
        for event in self:
            try:
                event.payload_pretty = json.dumps(
                    json.loads(event.payload or "null"), indent=2, ensure_ascii=False
                )
            except ValueError:
                event.payload_pretty = event.payload

    @api.model
    def _gc(self):
        """Cron: remove processed events past their backend's retention
        (``webhook_retention_days``); failed and pending ones are kept until
        handled. Returns how many were removed."""
        return self._gc_per_backend(
            [("state", "in", FINAL_STATES)], "received_at", "webhook_retention_days"
        )

    def init(self):
        cr = self.env.cr
        # The intake's lookup of a pending event of the same subject.
        cr.execute(
            "CREATE INDEX IF NOT EXISTS generic_webhook_pending_subject "
            "ON generic_webhook (backend_model, backend_id, subject) "
            "WHERE state = 'pending' AND subject IS NOT NULL"
        )
        # The intake's lookup of the newest pending event of a backend, whose
        # job a new delivery joins.
        cr.execute(
            "CREATE INDEX IF NOT EXISTS generic_webhook_pending_backend "
            "ON generic_webhook (backend_model, backend_id, id) "
            "WHERE state = 'pending' AND job_id IS NOT NULL"
        )
        # Whether a record's change arrived as a webhook (generic.webhook.miss).
        cr.execute(
            "CREATE INDEX IF NOT EXISTS generic_webhook_subject_received "
            "ON generic_webhook (backend_model, backend_id, subject, received_at) "
            "WHERE subject IS NOT NULL"
        )
        # One original per event id: a second delivery of an event already
        # received is kept as a ``duplicate`` row (outside this index), and two
        # simultaneous ones cannot both become originals with a job each.
        cr.execute(
            "SELECT 1 FROM generic_webhook WHERE event_id IS NOT NULL "
            "AND state != 'duplicate' GROUP BY backend_model, backend_id, event_id "
            "HAVING count(*) > 1 LIMIT 1"
        )
        if cr.fetchone():
            _logger.warning(
                "generic_webhook_event_uniq not created: the inbox already holds "
                "two originals of one event id (received before this version). "
                "Mark the later ones as duplicates and update the module again."
            )
            return
        cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS generic_webhook_event_uniq "
            "ON generic_webhook (backend_model, backend_id, event_id) "
            "WHERE event_id IS NOT NULL AND state != 'duplicate'"
        )

    @api.depends("receipt_ids")
    def _compute_delivery_count(self):
        counts = dict(
            self.env["generic.webhook.receipt"]._read_group(
                [("webhook_id", "in", self.ids)], ["webhook_id"], ["__count"]
            )
        )
        for event in self:
            event.delivery_count = counts.get(event, 0)

    @api.model
    def _receive(
        self,
        backend,
        delivery_id,
        event_type,
        body,
        headers,
        event_id=None,
        subject=None,
    ):
        """Store one delivery and enqueue its job; return ``(event, created)``.

        ``created`` is False, and nothing is enqueued, for a delivery id this
        backend already sent (the existing row gets one more receipt) and for
        another delivery of an event already received (kept as a
        ``duplicate`` row, for the record). ``body`` is the raw body, as
        bytes or text; every string must be free of NUL bytes (the caller
        validates them: PostgreSQL refuses them).

        A new delivery costs one statement: its row, its first receipt and
        its job (:meth:`_insert_delivery_with_job`), where queue_job's
        ``with_delay`` would take a dozen queries and most of the request's
        time (the benchmark's profile); ``with_delay`` remains the path for
        job options that statement does not write.

        ``subject`` (see the field; the backend's ``_webhook_subject``) lets
        a burst of events about one record cost one job: a new delivery of a
        subject whose pending event's job has not started is stored
        ``covered``, with no job, since that job reads the record after this
        delivery arrived, so its newest state. Two simultaneous deliveries of
        a subject may both get a job: nothing is lost, only not merged.

        Under a burst, a new delivery (not covered) joins the job of its
        backend's newest pending event while that job has not started and
        holds fewer than the backend's ``_webhook_batch_size`` events
        (``BATCH_QUERY``): stored pending, linked to that job, with no job of
        its own; the job processes every event linked to it (``_process``).

        Concurrency: the row is inserted with ``ON CONFLICT DO NOTHING``, so
        simultaneous deliveries of one id make one row and one job, whatever
        their number. In READ COMMITTED (the webhook controller's intake
        transaction) a conflicting insert waits for the other transaction and
        the next statement sees its row: this never fails. In REPEATABLE READ
        a row committed after the snapshot raises a serialization failure,
        which Odoo answers by replaying the request or retrying the job.
        """
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        values = {
            "backend_model": backend._name,
            "backend_id": backend.id,
            "delivery_id": delivery_id,
            "event_id": event_id or None,
            "event_type": event_type,
            "subject": subject or None,
            "payload": body,
            # Compact: the request does no more than it must.
            "headers": json.dumps(redact_headers(dict(headers))),
            "covered": _(
                "Covered by delivery %(id)s, whose job had not started: it reads "
                "the newest state",
                id=DELIVERY_MARK,
            ),
            "batch_size": getattr(backend, "_webhook_batch_size", 1),
        }
        job = self._fast_job_values(backend, event_type, delivery_id)
        for _attempt in range(3):
            if job:
                event_row = self._insert_delivery_with_job(values, job)
                if event_row:
                    return self.browse(event_row), True
            else:
                cover = self._find_cover(values)
                if cover:
                    result = values["covered"].replace(DELIVERY_MARK, cover)
                    event_row = self._insert_delivery(values, "covered", result)
                else:
                    event_row = self._insert_delivery(values, "pending", None)
                if event_row:
                    event = self.browse(event_row)
                    if not cover:
                        event._enqueue_job(backend, event_type, delivery_id)
                    return event, True
            existing = self._find_delivery(backend, delivery_id)
            if existing:
                existing._add_receipt()
                return existing, False
            original = self._find_original(backend, event_id)
            if original:
                result = _("Same event as delivery %(id)s", id=original)
                event_row = self._insert_delivery(values, "duplicate", result)
                if event_row:
                    return self.browse(event_row), False
            # The conflicting row belonged to a transaction that rolled back.
        raise RuntimeError(f"could not store webhook delivery {delivery_id}")

    def _insert_delivery(self, values, state, result):
        """Insert an inbox row, with its first receipt, unless one conflicts;
        return its id or None. One statement (the receipt in a CTE)."""
        self.env.cr.execute(
            SQL(
                """
            WITH inserted AS (
            INSERT INTO generic_webhook (
                backend_model, backend_id, delivery_id, event_id, event_type,
                subject, payload, headers, state, result, company_id,
                received_at, processed_at, create_uid, create_date, write_uid,
                write_date
            )
            VALUES (
                %(backend_model)s, %(backend_id)s, %(delivery_id)s, %(event_id)s,
                %(event_type)s, %(subject)s, %(payload)s, %(headers)s, %(state)s,
                %(result)s, %(company_id)s, now() at time zone 'UTC',
                CASE WHEN %(state)s = 'pending' THEN NULL
                     ELSE now() at time zone 'UTC' END,
                %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
            )
            ON CONFLICT DO NOTHING
            RETURNING id
            ), receipt AS (
            INSERT INTO generic_webhook_receipt (webhook_id, received_at)
            SELECT id, now() at time zone 'UTC' FROM inserted
            )
            SELECT id FROM inserted
            """,
                **values,
                state=state,
                result=result,
                uid=self.env.uid,
                company_id=self._company_of(values),
            )
        )
        row = self.env.cr.fetchone()
        return row and row[0]

    def _company_of(self, values):
        """The company column of a delivery's row (see
        ``generic.backend.owned``): read from its backend's table by the
        insert itself, since the intake reads no backend (its
        ``_webhook_intake`` cache)."""
        return SQL(
            "(SELECT company_id FROM %s WHERE id = %s)",
            SQL.identifier(self.env[values["backend_model"]]._table),
            values["backend_id"],
        )

    def _find_cover(self, values):
        """The delivery id of the pending event of ``values``' subject whose
        job has not started, or None (see ``_receive``)."""
        if not values.get("subject"):
            return None
        self.env.cr.execute(COVER_QUERY, values)
        row = self.env.cr.fetchone()
        return row and row[0]

    def _fast_job_values(self, backend, event_type, delivery_id):
        """The parameters of this delivery's ``_process`` job for
        :meth:`_insert_delivery_with_job`, or None where ``with_delay`` must
        enqueue it (see :func:`..queue_job_fastpath.job_values`)."""
        return queue_job_fastpath.job_values(
            self,
            "_process",
            _("Webhook %(type)s %(id)s", type=event_type, id=delivery_id),
            backend._webhook_job_options() if backend else None,
        )

    def _insert_delivery_with_job(self, values, job):
        """Insert a pending inbox row, its first receipt and its ``_process``
        job (``job``: :meth:`_fast_job_values`), linked, in one statement,
        unless the row conflicts; return its id or None. A delivery that a
        pending event of its subject covers (see ``_receive``) is inserted
        ``covered``, without a job, by the same statement.

        The job row is the one ``with_delay`` stores (``test_webhook_intake_job``
        compares them column by column), written without the ORM: the ids
        are drawn from the sequences first, so that each row can name the
        other; the foreign key is checked at the end of the statement, when
        both exist. queue_job's trigger notifies the runner on the insert.
        """
        self.env.cr.execute(
            SQL(
                INSERT_WITH_JOB_QUERY,
                **values,
                **job,
                uid=self.env.uid,
                mark=DELIVERY_MARK,
                company_id=self._company_of(values),
            )
        )
        row = self.env.cr.fetchone()
        return row and row[0]

    def _find_delivery(self, backend, delivery_id):
        self.env.cr.execute(
            "SELECT id FROM generic_webhook WHERE backend_model = %s "
            "AND backend_id = %s AND delivery_id = %s",
            (backend._name, backend.id, delivery_id),
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.browse()

    def _find_original(self, backend, event_id):
        """The delivery id of the first delivery of ``event_id``, or None."""
        if not event_id:
            return None
        self.env.cr.execute(
            "SELECT delivery_id FROM generic_webhook WHERE backend_model = %s "
            "AND backend_id = %s AND event_id = %s AND state != 'duplicate'",
            (backend._name, backend.id, event_id),
        )
        row = self.env.cr.fetchone()
        return row and row[0]

    def _add_receipt(self):
        # In SQL, insert-only: see generic.webhook.receipt.
        self.ensure_one()
        self.env.cr.execute(
            "INSERT INTO generic_webhook_receipt (webhook_id, received_at) "
            "VALUES (%s, now() at time zone 'UTC')",
            (self.id,),
        )
        self.invalidate_recordset(["delivery_count", "receipt_ids"])

    def _enqueue(self):
        for event in self:
            event._enqueue_job(event._backend(), event.event_type, event.delivery_id)

    def _enqueue_job(self, backend, event_type, delivery_id, eta=None):
        """Enqueue this event's ``_process`` job (at ``eta``, seconds or a
        datetime, when given) and link it, from values the caller knows (the
        intake reads nothing back)."""
        self.ensure_one()
        options = backend._webhook_job_options() if backend else {}
        if eta:
            options = dict(options, eta=eta)
        job = self.with_delay(
            description=_("Webhook %(type)s %(id)s", type=event_type, id=delivery_id),
            **options,
        )._process()
        # One statement, where the ORM would search the job, then update.
        self.env.cr.execute(
            "UPDATE generic_webhook SET job_id = "
            "(SELECT id FROM queue_job WHERE uuid = %s) WHERE id = %s",
            (job.uuid, self.id),
        )
        self.invalidate_recordset(["job_id", "job_state"])

    def _process(self):
        """Job: hand the event, and the events that joined its job (see
        ``_receive``), to their backend, one after the other in the order
        they arrived. Safe to run twice."""
        self.ensure_one()
        events = self._joined_events()
        if not events:
            return _("Already processed (%(state)s)", state=self.state)
        # One backend (events join the jobs of their own backend) and one
        # run (keyed by the job) for all: read once, not once per event.
        backend = self._backend()
        if not backend:
            events.write({"state": "ignored", "result": _("The backend is gone.")})
            return events[0].result
        run = self._sync_run(backend)
        alone = len(events) == 1
        # What the backend imports together (a burst's price changes); the
        # rest one by one, in the order they arrived.
        batched = {}
        if not alone:
            batched = backend.with_context(
                sync_run_key=run.run_key, sync_run_id=run.id
            )._webhook_process_batch(events)
        messages = []
        for event in events:
            if event.id in batched:
                messages.append(event._processed(*batched[event.id]))
            else:
                messages.append(event._process_one(backend, run, alone))
        # Runs where these events had failed now see them processed.
        events.sudo().failure_ids.run_id._refresh_state()
        return "\n".join(filter(None, messages))

    def _joined_events(self):
        """This event and those that joined its job, not processed yet."""
        events = self if self.state not in FINAL_STATES else self.browse()
        if self.job_id:
            events |= self.search(
                [("job_id", "=", self.job_id.id), ("state", "=", "pending")]
            )
        return events.sorted("id")

    def _process_one(self, backend, run, alone=True):
        """Hand this event to ``backend``, counted in ``run``; its message.
        A transient failure retries the job when the event is ``alone`` in
        it; one event among several is given a job of its own instead (the
        others are kept). The event stays pending until its outcome is
        written: no other transaction could see a state in between."""
        with run._counting_calls() as stats:
            # The event's id: the timeline of what it imports names it.
            try:
                outcome, message = backend.with_context(
                    sync_run_key=run.run_key,
                    sync_run_id=run.id,
                    sync_webhook_id=self.id,
                )._webhook_process(self)
            except RetryableJobError as err:
                if alone:
                    raise
                self._enqueue_job(
                    backend, self.event_type, self.delivery_id, eta=err.seconds
                )
                _logger.info(
                    "Webhook %s retried in its own job: %s", self.delivery_id, err
                )
                return None
        failed = outcome == "failed"
        if failed:
            _logger.warning("Webhook %s failed: %s", self.delivery_id, message)
            run._note_failure(message, webhook=self)
            # The handler's own counts were rolled back with its savepoint;
            # the calls it made still happened.
            run.with_context(sync_webhook_id=self.id)._tally(stats, kind="webhook")
        return self._processed(outcome, message)

    def _processed(self, outcome, message):
        """Write the event's ``outcome`` (a state) and ``message``; return
        the message."""
        failed = outcome == "failed"
        self.write(
            {
                "state": outcome,
                "result": False if failed else message,
                "error": message if failed else False,
                "processed_at": fields.Datetime.now(),
            }
        )
        return message

    def _sync_run(self, backend):
        """The sync run (trigger: webhook) this event's processing is, keyed
        by its job (which queue_job links to it when it stores the job)."""
        run = self.env["generic.sync.run"]._start(
            backend,
            trigger="webhook",
            run_key=self.env.context.get("job_uuid"),
            resource=self.event_type,
        )
        return run

    def action_reprocess(self):
        """Process the event again, in a new job."""
        self.write({"state": "pending", "error": False, "result": False})
        self._enqueue()
        return True
