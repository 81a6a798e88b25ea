# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The abstract binding between an Odoo record and a remote record.

Concrete bindings ``_inherits`` the Odoo model they bind through ``odoo_id``
and define ``backend_id`` towards their concrete backend, as OCA connector
expects. The uniqueness constraints below are inherited by every concrete
binding table: they, not a job's identity key, are what guarantees that two
jobs importing the same remote record at once cannot both create it.
"""

import logging

from psycopg2 import OperationalError

from odoo import _, api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError

from ..components.core import job_errors
from ..timestamps import canonical_timestamp, to_odoo_datetime
from ..transport import TransportError, count_calls

_logger = logging.getLogger(__name__)


class GenericBinding(models.AbstractModel):
    _name = "generic.binding"
    _inherit = "external.binding"
    _description = "Generic Connector Binding (abstract)"

    external_id = fields.Char(string="External ID", index=True, copy=False)
    remote_updated_at = fields.Char(
        copy=False,
        help="The remote record's updated_at (canonical UTC, to the "
        "microsecond) when last imported or exported; an import whose data is "
        "not newer is skipped.",
    )
    remote_updated_at_dt = fields.Datetime(
        compute="_compute_remote_updated_at_dt",
        string="Remote Last Update",
        help="The remote record's last change, in your time zone.",
    )

    _sql_constraints = [
        (
            "external_uniq",
            "unique(backend_id, external_id)",
            "A remote record can be bound only once per backend.",
        ),
        (
            "odoo_uniq",
            "unique(backend_id, odoo_id)",
            "An Odoo record can be bound only once per backend.",
        ),
    ]

    @api.depends("remote_updated_at")
    def _compute_remote_updated_at_dt(self):
        for binding in self:
            binding.remote_updated_at_dt = to_odoo_datetime(binding.remote_updated_at)

    def _is_newer(self, remote_updated_at):
        """Whether ``remote_updated_at`` is newer than what this binding last
        saw. An empty binding, or remote data without a timestamp, is newer.
        """
        self.ensure_one()
        theirs = canonical_timestamp(remote_updated_at)
        return (
            not (self.remote_updated_at and theirs) or theirs > self.remote_updated_at
        )

    # Jobs. Each is safe to run twice: the record importer skips data that is
    # not newer than the binding's, and the bindings' constraints forbid a
    # second binding of the same remote record.

    @api.model
    def import_batch(self, backend, filters=None, job_options=None, run_key=None):
        """Enqueue chunk jobs for the remote records matching ``filters``.

        Not a job itself: returns ``(jobs, first_response)`` to the job that
        drives the run (see the connector's backend). The run ``run_key``, if
        any, adopts the jobs and counts the records and calls of the walk.
        """
        run = self.env["generic.sync.run"]._for_key(run_key)
        with backend.work_on(self._name) as work, job_errors(), count_calls() as stats:
            importer = work.component(usage="batch.importer")
            jobs, first_response = importer.run(
                filters=filters, job_options=job_options, run_key=run_key
            )
            run._note(resource=self._name, protocol=importer.backend_adapter._protocol)
        run._adopt(jobs)
        run._tally(stats, fetched=importer.fetched, kind="batch")
        return jobs, first_response

    @api.model
    def import_chunk(self, backend, records, run_key=None):
        """Job: import ``records`` (remote data) one by one.

        A record that fails on its data is rolled back alone and re-run in its
        own ``import_record`` job, where the failure and its reason stay
        visible; network and rate-limit errors retry the whole chunk, which is
        harmless since nothing was committed.
        """
        counts = {"created": 0, "updated": 0, "skipped": 0}
        isolated = []
        run = self.env["generic.sync.run"]._for_key(run_key)
        with backend.work_on(self._name) as work, job_errors(), count_calls() as stats:
            for record in records:
                external_id = str(record.get("id"))
                try:
                    with self.env.cr.savepoint():
                        importer = work.component(usage="record.importer")
                        importer.run(external_id, data=record)
                        counts[importer.outcome] += 1
                except (RetryableJobError, TransportError, OperationalError):
                    raise
                except Exception as err:
                    _logger.warning(
                        "%s %s not imported, isolated in its own job: %s",
                        self._name,
                        external_id,
                        err,
                    )
                    isolated.append(external_id)
                    job = self.with_delay(
                        description=_(
                            "Import %(model)s %(id)s (isolated)",
                            model=self._description,
                            id=external_id,
                        ),
                        identity_key=f"{run_key}:{external_id}" if run_key else None,
                    ).import_record(backend, external_id, run_key=run_key)
                    run._adopt([job])
                    run._note_failure(_error_text(err), external_id, job=job)
        run._tally(stats, **counts)
        message = _(
            "created: %(created)s, updated: %(updated)s, skipped: %(skipped)s",
            **counts,
        )
        if isolated:
            message += _(
                "; isolated in their own job: %(ids)s", ids=", ".join(isolated)
            )
        return message

    @api.model
    def import_record(self, backend, external_id, force=False, run_key=None):
        """Job: fetch one remote record and import it.

        Counted in the run ``run_key``, or the context's ``sync_run_key`` (a
        webhook's run), when there is one.
        """
        run = self.env["generic.sync.run"]._for_key(run_key)
        with backend.work_on(self._name) as work, job_errors(), count_calls() as stats:
            importer = work.component(usage="record.importer")
            message = importer.run(external_id, force=force)
        run._note(resource=self._name, protocol=importer.backend_adapter._protocol)
        run._tally(stats, fetched=1, **{importer.outcome: 1}, kind="record")
        return message


def _error_text(err):
    """What an admin reads about a record that failed: the transport's
    summary when it is one, else the error's own message."""
    return getattr(err, "summary", None) or str(err) or type(err).__name__
