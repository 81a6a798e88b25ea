# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the inventory's models and components share: what a mapped location
holds, and the context key of the import's inventory adjustments.

A mapped location stands for what it holds by itself: a quant in one of its
child locations is not its stock (the child, when mapped, has its own remote
location; unmapped, it is not synchronised). Counting children would send
the parent the child's stock too, and the import would then write that sum
into the parent alone.
"""

# Context key: an inventory applied by the import leaves the location's
# last inventory date alone (see ``stock.location.write``).
NO_INVENTORY_DATE = "connector_no_inventory_date"


def own_quantity(product, location):
    """On-hand quantity of ``product`` at ``location`` by itself, its child
    locations not counted: what the remote level of the remote location
    mapped to ``location`` stands for, both ways."""
    [(quantity,)] = (
        product.env["stock.quant"]
        .sudo()
        ._read_group(
            [("product_id", "=", product.id), ("location_id", "=", location.id)],
            [],
            ["quantity:sum"],
        )
    )
    return quantity or 0
