# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A variant write that changes nothing is not made.

Odoo clears every cache of the registry (access rights, record rules,
defaults, languages...) at each write of a variant's combination
(``product_template_attribute_value_ids``) or of its ``active``, and every
other worker clears its own at its next request. Odoo makes such writes that
change nothing: a template created with an option of a single value gets
that value written onto each of its new variants (which have it already,
``_create_variant_ids``), and its variants are all written active. An import
creating products by the chunk then emptied the caches once per variant and
read them all again (measured: 294 clears for 500 products).

A write of only these fields, to the values every record already has, is
dropped; any other write, or one that changes a record, is Odoo's.
"""

from odoo import Command, models

#: the variant fields whose write clears the registry's caches
CACHE_CLEARING = frozenset(("active", "product_template_attribute_value_ids"))


class ProductProduct(models.Model):
    _inherit = "product.product"

    def write(self, vals):
        if self and vals and set(vals) <= CACHE_CLEARING and self._writes_nothing(vals):
            return True
        return super().write(vals)

    def _writes_nothing(self, vals):
        """Whether every record already has the ``vals`` given (``active``, a
        boolean; the combination, as one ``Command.set``)."""
        records = self.with_context(active_test=False)
        if "active" in vals and any(r.active != bool(vals["active"]) for r in records):
            return False
        if "product_template_attribute_value_ids" in vals:
            wanted = self._set_ids(vals["product_template_attribute_value_ids"])
            if wanted is None:
                return False
            return all(
                set(r.product_template_attribute_value_ids.ids) == wanted
                for r in records
            )
        return True

    @staticmethod
    def _set_ids(commands):
        """The ids a many2many value sets, when it is a single
        ``Command.set`` (as Odoo's field assignment writes it); else None."""
        if (
            isinstance(commands, list | tuple)
            and len(commands) == 1
            and isinstance(commands[0], list | tuple)
            and len(commands[0]) == 3
            and commands[0][0] == Command.SET
        ):
            return set(commands[0][2])
        return None
