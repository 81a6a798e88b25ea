"""A new template's precomputed fields worked out without its attribute lines;
its internal reference indexed.

Before inserting a template, Odoo works out its precomputed fields (``type``,
stock's ``tracking``) on an in-memory copy of the values. When the values hold
attribute lines, that copy makes in-memory lines, and each in-memory line adds
itself to its attribute values' lines, which reads every line already using
those values: a template made with its options read every product sharing
them. None of these fields depends on the lines, so they are worked out from
the other values, and the lines are created as before.

Odoo stores a template's internal reference (``default_code``, its single
variant's) without an index: an import binding new records to the products
with their SKU (the resources' ``match_fields``) then read every template at
each chunk. It is indexed where set (templates with several variants have
none).
"""

from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    default_code = fields.Char(index="btree_not_null")

    def _add_precomputed_values(self, vals_list):
        """Leave ``attribute_line_ids`` out of the precompute when no
        precomputed field depends on it."""
        if self._precompute_needs_attribute_lines():
            return super()._add_precomputed_values(vals_list)
        held = []
        for vals in vals_list:
            held.append(list(vals.items()))
            vals.pop("attribute_line_ids", None)
        result = super()._add_precomputed_values(vals_list)
        for vals, items in zip(vals_list, held, strict=True):
            added = {
                key: value for key, value in vals.items() if key not in dict(items)
            }
            vals.clear()
            vals.update(items)
            vals.update(added)
        return result

    def _precompute_needs_attribute_lines(self):
        dependent = set(
            self.pool.get_dependent_fields(self._fields["attribute_line_ids"])
        )
        return any(
            field.precompute and field in dependent for field in self._fields.values()
        )
