# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The binding of a product template to a remote product (abstract).

A connector's template binding inherits it, adds ``_inherits =
{"product.template": "odoo_id"}`` and its ``backend_id``; its variants are
bound by the pair's other half (``generic.product.variant.binding``) and
made by ``generic.variant.importer`` (see ``components/product.py``).
"""

from odoo import fields, models


class GenericProductTemplateBinding(models.AbstractModel):
    _name = "generic.product.template.binding"
    _inherit = "generic.binding"
    _description = "Generic Product Binding (abstract)"

    # Indexed on its own, as the variant's: a template's bindings are read by
    # template (its binding list, the matches of an import onto an existing
    # catalogue), which the (backend, template) unique index does not serve;
    # without it, each such chunk read the whole binding table.
    odoo_id = fields.Many2one(
        "product.template",
        string="Product Template",
        required=True,
        ondelete="cascade",
        index=True,
    )
    variants_digest = fields.Char(
        copy=False,
        readonly=True,
        help="What the variants were when they were last synced (their ids, "
        "options, codes and prices against the product's): a record whose "
        "variants are the same is not synced again, unless forced.",
    )
