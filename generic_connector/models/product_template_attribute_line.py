"""New attribute lines add their templates to the attribute's products.

Odoo's stored ``product.attribute.product_tmpl_ids`` (the attribute's
*Related Products*) is computed from all the attribute's lines: each new line
marks its attribute to recompute, and the recompute reads every line of the
attribute and rewrites the relation. A connector puts the options of a whole
catalogue on a few shared attributes, so each imported product cost a read of
every product sharing its attributes: the import grew with the catalogue.

A new line can only add its template to that set. When the creation is all
that changed the attribute since its products were last computed, the
template is linked directly (one insert, ignoring a link already there) and
the recompute dropped. Anything else (a line archived, unarchived, deleted, a
template removed, or an attribute already waiting for its recompute) keeps
Odoo's full recompute.
"""

from odoo import models
from odoo.tools import SQL


class ProductTemplateAttributeLine(models.Model):
    _inherit = "product.template.attribute.line"

    def modified(self, fnames, create=False, before=False):
        """On creation, link the new lines' templates to their attributes
        instead of recomputing the attributes' products from all their lines."""
        if not create or before or not self or not all(self._ids):
            return super().modified(fnames, create=create, before=before)
        field = self.env["product.attribute"]._fields["product_tmpl_ids"]
        waiting = set(self.env.records_to_compute(field)._ids)
        result = super().modified(fnames, create=create, before=before)
        marked = self.attribute_id.filtered(
            lambda attribute: attribute.id not in waiting
            and self.env.is_to_compute(field, attribute)
        )
        if marked:
            self._link_templates(field, marked)
        return result

    def _link_templates(self, field, attributes):
        """Add the templates of the active lines in ``self`` to the products of
        ``attributes``, which were up to date before these lines were made."""
        self.env.remove_to_compute(field, attributes)
        pairs = {
            (line.attribute_id.id, line.product_tmpl_id.id)
            for line in self
            if line.active and line.attribute_id in attributes
        }
        if pairs:
            self.env.cr.execute(
                SQL(
                    "INSERT INTO %s (%s, %s) VALUES %s ON CONFLICT DO NOTHING",
                    SQL.identifier(field.relation),
                    SQL.identifier(field.column1),
                    SQL.identifier(field.column2),
                    SQL(", ").join(SQL("(%s, %s)", *pair) for pair in sorted(pairs)),
                )
            )
        attributes.invalidate_recordset(["product_tmpl_ids"], flush=False)
        attributes.modified(["product_tmpl_ids"])
