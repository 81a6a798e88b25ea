# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The health of a backend's rows in the job table, at any size.

Mixed into ``generic.backend``. Each backend's jobs run in channels of its
own (``<parent>.backend_<id>`` and its sub-channels, see
``generic.backend.sync``), which is how both concerns find them:

* **Done jobs removed on a schedule sized for the traffic.** queue_job's own
  *AutoVacuum Job Queue* cron removes done jobs per *channel record*, by its
  exact name, after its ``removal_interval`` days (30): the backends' channels
  are names in the runner's configuration, not records, so their done jobs
  were never removed. ``_gc_done_jobs`` (an hourly cron) removes them after
  the backend's ``job_retention_hours``, in batches, through the channel
  index queue_job keeps on ``(channel, date_done)``.
* **No channel stalled unseen.** ``_stalled_channels`` finds, in one query
  for all the backends on screen, the channels whose jobs have waited longer
  than ``job_stall_minutes`` while none of theirs started or ended since (a
  job runner down, a channel with no capacity in its configuration); the
  backend's health says which one.
"""

from datetime import timedelta

from odoo import api, fields, models

GC_BATCH = 1000


class GenericBackendJobs(models.AbstractModel):
    _name = "generic.backend.jobs"
    _description = "Connector Backend Job Table"

    job_retention_hours = fields.Integer(
        string="Done Jobs Kept (hours)",
        default=72,
        help="Hours the jobs of this backend stay in the job table once done "
        "(0: left to queue_job's own autovacuum). Each webhook makes a job: "
        "at high traffic, keep this short.",
    )
    job_stall_minutes = fields.Integer(
        string="Stalled Channel After (min)",
        default=15,
        help="A channel of this backend whose jobs wait this long while none "
        "of its jobs starts or ends is flagged on the dashboard (0: never).",
    )

    _sql_constraints = [
        (
            "job_health_positive",
            "CHECK(job_retention_hours >= 0 AND job_stall_minutes >= 0)",
            "Job retention and stall delay cannot be negative.",
        ),
    ]

    def _job_channel_domain(self):
        """The domain of the jobs in this backend's channels."""
        self.ensure_one()
        channel = self._job_channel()
        return ["|", ("channel", "=", channel), ("channel", "=like", f"{channel}.%")]

    def _gc_done_jobs(self):
        """Remove the done jobs of these backends older than their
        ``job_retention_hours``; return how many were removed."""
        removed = 0
        Job = self.env["queue.job"].sudo()
        for backend in self.filtered("job_retention_hours"):
            before = fields.Datetime.now() - timedelta(
                hours=backend.job_retention_hours
            )
            domain = backend._job_channel_domain() + [
                ("state", "=", "done"),
                ("date_done", "<", before),
            ]
            while True:
                jobs = Job.search(domain, limit=GC_BATCH)
                if not jobs:
                    break
                removed += len(jobs)
                jobs.unlink()
        return removed

    @api.model
    def _cron_gc_done_jobs(self):
        """Cron: ``_gc_done_jobs`` of every backend of every connector."""
        removed = 0
        for name in self.env.registry.descendants(["generic.backend"], "_inherit"):
            backends_sudo = self.env[name].sudo().with_context(active_test=False)
            if not backends_sudo._abstract:
                removed += backends_sudo.search([])._gc_done_jobs()
        return removed

    def _stalled_channels(self):
        """``{backend id: [(channel, waiting jobs)]}``: the channels of these
        backends whose jobs, ready to run, have waited longer than
        ``job_stall_minutes`` while none of the channel's jobs started or
        ended in that time."""
        now = fields.Datetime.now()
        waiting = {}
        for backend in self.filtered("job_stall_minutes"):
            channel = backend._job_channel()
            since = now - timedelta(minutes=backend.job_stall_minutes)
            waiting[backend.id] = (channel, since)
        if not waiting:
            return {}
        # One query for all the backends: the channels with old ready jobs,
        # unless a job of theirs started or ended since (both indexed).
        self.env.cr.execute(
            """
            WITH mine(backend_id, channel, since) AS (
                SELECT * FROM unnest(%s::int[], %s::varchar[], %s::timestamp[])
            )
            SELECT mine.backend_id, job.channel, count(*)
            FROM queue_job job
            JOIN mine ON job.channel = mine.channel
                      OR job.channel LIKE mine.channel || '.%%'
            WHERE job.state IN ('pending', 'enqueued')
              AND coalesce(job.eta, job.date_created) < mine.since
              AND NOT EXISTS (
                  SELECT 1 FROM queue_job moved
                  WHERE moved.channel = job.channel
                    AND (moved.date_done >= mine.since
                         OR (moved.state = 'started'
                             AND moved.date_started >= mine.since)))
            GROUP BY mine.backend_id, job.channel
            ORDER BY job.channel
            """,
            (
                list(waiting),
                [c for c, _s in waiting.values()],
                [s for _c, s in waiting.values()],
            ),
        )
        out = {}
        for backend_id, channel, count in self.env.cr.fetchall():
            out.setdefault(backend_id, []).append((channel, count))
        return out
