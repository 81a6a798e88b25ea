"""Records the remote hands out in pieces, assembled with bounded concurrency.

Many REST APIs do not give a whole record in one answer: their lists hold
stubs (an id and a URL; the record is fetched from its detail URL), and parts
of a record live at sub-resources of it (``products/{id}/price/``,
``products/{id}/stockrecords/``). A :class:`RecordShape` declares that, and
:meth:`RecordShape.complete` turns a chunk of stubs into whole records::

    shape = RecordShape(
        detail="products/{id}/",
        sub_resources={"prices": "products/{id}/price/"},
        workers=4,
    )
    records, missing = shape.complete(client, stubs)

Sequentially, a chunk of 100 stubs with two sub-resources is 300 round trips
one after the other; most of that time is the remote's latency, not ours.
``complete`` sends them from a pool of ``workers`` threads, never more in
flight than that, each call through the same ``HttpClient`` (hence the
backend's pooled session and its shared rate budget: the pool shortens the
wall time, never the budget). ``workers`` is capped at the session's pool
size, since a connection beyond it would be opened and thrown away each time.

A record whose detail or sub-resource answers 404 was deleted meanwhile: it is
left out and its id returned in ``missing``. Any other error is raised (after
the calls in flight finished; the ones not yet started are cancelled), so a
chunk job retries or fails as a whole, as it would sequentially.

The calls of the pool are counted by the caller's ``count_calls`` collectors:
each task runs in a copy of the submitting thread's context.
"""

import contextvars
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

from .envelope import extract
from .errors import NotFoundError

DEFAULT_WORKERS = 4


class RecordShape:
    """How one remote record is put together (see the module docstring).

    ``detail``: a path template (``{id}`` is the record's id) of the whole
    record, or None when the list holds whole records. ``record_path``: where
    the record is inside the detail's envelope. ``sub_resources``: ``{key:
    path template}``; each answer is stored under ``key`` of the record.
    """

    def __init__(
        self,
        detail=None,
        sub_resources=None,
        workers=DEFAULT_WORKERS,
        record_path=None,
        id_field="id",
    ):
        self.detail = detail
        self.sub_resources = dict(sub_resources or {})
        self.workers = max(int(workers or 1), 1)
        self.record_path = record_path
        self.id_field = id_field

    @property
    def is_whole(self):
        """Whether a listed record is complete as it is (nothing to fetch)."""
        return not self.detail and not self.sub_resources

    def calls(self, external_id):
        """``[(key, path)]`` of one record: ``key`` None for the detail."""
        calls = [(None, self.detail.format(id=external_id))] if self.detail else []
        calls += [
            (key, template.format(id=external_id))
            for key, template in self.sub_resources.items()
        ]
        return calls

    def complete(self, client, records):
        """``(whole records, ids of the missing ones)``, in the given order."""
        if self.is_whole:
            return list(records), []
        ids = [record[self.id_field] for record in records]
        calls = [self.calls(rid) for rid in ids]
        flat = [path for record_calls in calls for _key, path in record_calls]
        answers = iter(fan_out(client, flat, self._workers(client)))
        wholes, missing = [], []
        for record, rid, record_calls in zip(records, ids, calls, strict=True):
            mine = [(key, next(answers)) for key, _path in record_calls]
            if any(isinstance(answer, NotFoundError) for _key, answer in mine):
                missing.append(rid)
            else:
                wholes.append(self._assemble(record, mine))
        return wholes, missing

    def fetch(self, client, external_id):
        """One whole record by id; raises the ``NotFoundError`` of a record
        that is gone."""
        record_calls = self.calls(external_id)
        paths = [path for _key, path in record_calls]
        answers = fan_out(client, paths, self._workers(client))
        for answer in answers:
            if isinstance(answer, NotFoundError):
                raise answer
        keys = [key for key, _path in record_calls]
        keyed = list(zip(keys, answers, strict=True))
        return self._assemble({self.id_field: external_id}, keyed)

    def _assemble(self, record, answers):
        """``record`` (a stub) with its ``[(key, answer)]`` merged in: the
        detail's fields over the stub's, each sub-resource under its key."""
        whole = dict(record)
        for key, answer in answers:
            if key is None:
                whole.update(extract(answer, self.record_path))
            else:
                whole[key] = answer
        return whole

    def _workers(self, client):
        adapter = client.session.get_adapter(client.base_url)
        return min(self.workers, getattr(adapter, "_pool_maxsize", self.workers))


def fan_out(client, paths, workers):
    """GET each of ``paths`` as JSON with at most ``workers`` calls in flight;
    return the payloads in order, a ``NotFoundError`` in place of a 404's.
    The first other error is raised once the calls in flight are done."""
    if workers <= 1 or len(paths) <= 1:
        return [_get(client, path) for path in paths]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fan-out") as pool:
        futures = [
            pool.submit(contextvars.copy_context().run, _get, client, path)
            for path in paths
        ]
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
        for future in futures:
            if future in done and future.exception() is not None:
                raise future.exception()
        return [future.result() for future in futures]


def _get(client, path):
    try:
        return client.request_json("GET", path)
    except NotFoundError as exc:
        return exc
