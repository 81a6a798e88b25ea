# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Resources: what a connector synchronises, each declared once.

A connector's backend lists its resources (``_connector_resources``); from
each :class:`Resource` the framework derives, with no code per resource:

* the import action (``action_import`` with the key in the context, or
  ``_action_import(key)``) and its job (``_import_resource(key, since)``,
  or the ``import_method`` the resource names), which drives a sync run;
* the scheduler: one ``ir.cron`` per resource with an ``interval``, created
  at install and upgrade (``_sync_resource_crons``), running each backend
  whose interval for that resource has passed since its last scheduled run;
* the count of bindings (``count_field``, one grouped query per binding
  model) and the smart button that opens them (``action`` plus
  ``action_view_bindings``);
* the queue channel of its jobs, ``<backend channel>.<key>``, so that a slow
  resource can be given its own capacity and not hold up another;
* how a new remote record finds the Odoo record it is (``match_fields``):
  a first import binds the product with the same SKU, the contact with the
  same email, instead of creating a duplicate, and a plan says so first
  (``generic.import.plan``);
* its bulk export (``bulk``): a first load and a *Full re-import* read one
  bulk export file instead of paging through the rate limit, on a backend
  that ticks *Use bulk export for full loads* and with an adapter that
  declares the remote's bulk resource (``_bulk_resource``);
* its reconcile (``reconcile``): a scheduled comparison of the platform's
  records with the bindings that repairs what drifted (see
  ``generic.backend.reconcile``), and who owns which field while doing so.

Field ownership: the fields the platform owns are overwritten by an import
or a reconcile, whatever Odoo did to them; the fields Odoo owns are written
when a record is created, never on an existing record (Odoo exports them);
shared fields are written by both, an Odoo-side edit of one is never
overwritten by a reconcile (it waits for a person) and an export of one
keeps today's conflict flag.

Its webhook events are not repeated here: the connector's one event table
(``generic.webhook.backend._webhook_events``) names each event's binding
model, which is the resource's ``model``.

Declarations are inherited: an addon extending a backend adds resources, or
replaces one with ``dataclasses.replace`` (another interval, another
title), in its own ``_connector_resources``.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Resource:
    """One resource of a connector, as its backend declares it."""

    #: short name: the key of actions, crons, channels (``"products"``)
    key: str
    #: the binding model its records are imported into
    model: str
    #: what a person reads on buttons and jobs (``"Import products"``)
    title: str
    #: the backend field holding the remote time up to which records are
    #: imported; ``None``: the resource is read in full on every run
    watermark: str | None = None
    #: minutes between scheduled runs; 0: by hand (and webhook) only;
    #: ``None``: no scheduler at all
    interval: int | None = None
    #: a backend field overriding ``interval`` per backend
    interval_field: str | None = None
    #: the backend's job method of an import run, called with ``since`` when
    #: there is a watermark; ``None``: the generic ``_import_resource``
    import_method: str | None = None
    #: a backend Integer field computed as the number of bindings
    count_field: str | None = None
    #: XML id of the window action listing the bindings (smart button)
    action: str | None = None
    #: the last part of the queue channel of its jobs (default: ``key``)
    channel: str | None = None
    #: fields of the bound Odoo model a new remote record is matched on, in
    #: order (``("default_code", "barcode")``): an unbound Odoo record with
    #: the mapped value is bound instead of a new one created
    match_fields: tuple = ()
    #: a backend Boolean field turning that matching on; ``None``: always on
    match_switch: str | None = None
    #: whether the records are reconciled (daily by default, see the
    #: backend's ``reconcile_interval``); only for bindings with an
    #: ``external_id``
    reconcile: bool = True
    #: whether full walks (a first load, a *Full re-import*) may read a bulk
    #: export instead of pages (``GenericAdapter.iterate_bulk``), on backends
    #: whose ``use_bulk_export`` is ticked
    bulk: bool = False
    #: Odoo field names Odoo owns: never written on an existing record
    odoo_owned: tuple = ()
    #: Odoo field names both sides write: an Odoo-side edit is not overwritten
    #: by a reconcile
    shared: tuple = ()
    #: Odoo field names the platform owns; empty: every field the import
    #: mapper writes that is neither Odoo-owned nor shared
    platform_owned: tuple = ()

    def owner(self, field_name):
        """``"odoo"``, ``"shared"`` or ``"platform"``: who owns ``field_name``
        of this resource's records."""
        if field_name in self.odoo_owned:
            return "odoo"
        if field_name in self.shared:
            return "shared"
        return "platform"
