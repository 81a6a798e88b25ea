# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Images and categories of imported products, over HTTP against the
sandbox: images downloaded once and again only when their checksum changes
(downloads counted by the sandbox), a broken image failing alone, categories
as a tree with the products in them."""

import base64

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import VARIANT_MODEL, MyConnectorCase

CATEGORY_MODEL = "myconnector.product.category"


@tagged("post_install", "-at_install")
class TestProductImages(MyConnectorCase):
    seed_records = 20

    def setUp(self):
        super().setUp()
        self.backend.write({"import_images": True, "import_categories": True})
        # The sandbox lives for the class: each test starts from the seed.
        self.remote("POST", "/admin/reset", json={})
        self.remote("DELETE", "/admin/images")

    def downloads(self):
        return self.remote("GET", "/admin/images")["downloads"]

    def content(self, image):
        response = self.api.get(self.sandbox.url + image["url"], timeout=10)
        response.raise_for_status()
        return response.content

    def import_products(self):
        self.backend.action_import_products()
        outcomes = self.run_jobs()
        self.assertEqual(outcomes["failed"], 0)

    def binding(self, external_id):
        return self.Binding.search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", external_id)]
        )

    def variant(self, external_id):
        return self.env[VARIANT_MODEL].search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", external_id)]
        )

    def test_images_downloaded_once_then_only_the_changed_one(self):
        remote = self.remote_products()
        self.import_products()
        expected = {p["image"]["url"]: 1 for p in remote.values()}
        own = [v for p in remote.values() for v in p["variants"] if v.get("image")]
        self.assertTrue(own, "the seed has variants with their own image")
        expected.update({v["image"]["url"]: 1 for v in own})
        self.assertEqual(self.downloads(), expected)
        for external_id, product in remote.items():
            binding = self.binding(external_id)
            content = self.content(product["image"])
            self.assertEqual(base64.b64decode(binding.image_1920), content)
            self.assertEqual(binding.image_checksum, product["image"]["checksum"])
            self.assertFalse(binding.image_error)
            for variant in product["variants"]:
                odoo_variant = self.variant(str(variant["id"]))
                wanted = (
                    self.content(variant["image"]) if variant.get("image") else content
                )
                self.assertEqual(base64.b64decode(odoo_variant.image_1920), wanted)

        # Every product changes (price), one image changes: the next import
        # downloads that image alone.
        for external_id in remote:
            self.remote(
                "PATCH", f"/api/v1/products/{external_id}", json={"price": "7.50"}
            )
        changed = self.remote("POST", "/admin/simulate/image", json={"product_id": 4})
        variant_changed = self.remote(
            "POST",
            "/admin/simulate/image",
            json={"product_id": 15, "variant_id": 1502},
        )
        self.remote("DELETE", "/admin/images")
        self.backend.with_delay()._import_products(since=None)
        self.assertEqual(self.run_jobs()["failed"], 0)
        # A variant's image_1920 is computed without dependencies: read anew.
        self.env.invalidate_all()
        new_image = changed["image"]
        new_variant_image = variant_changed["variants"][1]["image"]
        self.assertEqual(
            self.downloads(), {new_image["url"]: 1, new_variant_image["url"]: 1}
        )
        self.assertEqual(self.binding("4").list_price, 7.5)
        self.assertEqual(
            base64.b64decode(self.binding("4").image_1920), self.content(new_image)
        )
        self.assertEqual(self.binding("4").image_checksum, new_image["checksum"])
        self.assertEqual(
            base64.b64decode(self.variant("1502").image_1920),
            self.content(new_variant_image),
        )

    def test_image_removed_remotely_and_other_protocols_leave_images(self):
        self.import_products()
        self.assertTrue(self.binding("2").image_1920)
        # GraphQL's products carry no image: a re-import over GraphQL keeps
        # the images REST brought, and downloads nothing.
        for external_id in ("2", "6"):
            self.remote(
                "PATCH", f"/api/v1/products/{external_id}", json={"price": "3.25"}
            )
        self.remote("DELETE", "/admin/images")
        self.backend.product_protocol = "graphql"
        self.import_products()
        self.assertEqual(self.binding("2").list_price, 3.25)
        self.assertTrue(self.binding("2").image_1920)
        self.assertTrue(self.binding("2").image_checksum)
        self.assertEqual(self.downloads(), {})
        # The platform removes the image: the next import removes it.
        self.backend.product_protocol = "rest"
        self.remote(
            "POST", "/admin/corrupt", json={"product_id": 6, "fields": {"image": None}}
        )
        self.import_products()
        self.assertFalse(self.binding("6").image_1920)
        self.assertFalse(self.binding("6").image_checksum)
        self.assertTrue(self.binding("2").image_1920)

    def test_a_failed_image_is_fetched_again_by_a_full_reimport(self):
        # The platform's image server fails for one image: it fails alone.
        self.remote(
            "PUT",
            "/admin/faults",
            json={"GET /api/v1/images/product-3.png": {"error_rate": 1.0}},
        )
        with mute_logger("odoo.addons.myconnector.components.product_catalog"):
            self.import_products()
        self.remote("DELETE", "/admin/faults")
        self.assertFalse(self.binding("3").image_1920)
        self.assertIn("product-3.png", self.binding("3").image_error)
        # The product did not change remotely, so an incremental import does
        # not read it; a full re-import skips it, but fetches its image.
        self.remote("DELETE", "/admin/images")
        self.backend.with_delay()._import_products(since=None)
        self.assertEqual(self.run_jobs()["failed"], 0)
        image = self.remote_products()["3"]["image"]
        self.assertEqual(self.downloads(), {image["url"]: 1})
        self.assertEqual(
            base64.b64decode(self.binding("3").image_1920), self.content(image)
        )
        self.assertFalse(self.binding("3").image_error)

    def test_a_broken_image_fails_alone_with_its_reason(self):
        self.remote(
            "POST",
            "/admin/corrupt",
            json={
                "product_id": 3,
                "fields": {
                    "image": {"url": "/api/v1/images/nothing.png", "checksum": "x"}
                },
            },
        )
        self.remote(
            "POST",
            "/admin/corrupt",
            json={
                "product_id": 5,
                "fields": {
                    "image": {"url": "http://example.com/steal.png", "checksum": "y"}
                },
            },
        )
        with mute_logger("odoo.addons.myconnector.components.product_catalog"):
            self.import_products()
        self.assertEqual(len(self.bindings()), 20)
        broken, foreign = self.binding("3"), self.binding("5")
        self.assertFalse(broken.image_1920)
        self.assertFalse(broken.image_checksum)
        self.assertIn("/api/v1/images/nothing.png", broken.image_error)
        self.assertIn("404", broken.image_error)
        self.assertFalse(foreign.image_1920)
        self.assertIn("example.com", foreign.image_error)
        self.assertIn("not the backend's", foreign.image_error)
        self.assertNotIn("http://example.com/steal.png", self.downloads())
        others = self.bindings() - broken - foreign
        self.assertTrue(all(others.mapped("image_1920")))
        self.assertFalse(any(others.mapped("image_error")))

    def test_categories_arrive_as_a_tree_and_products_move(self):
        self.import_products()
        tree = self.remote("GET", "/api/v1/categories")["data"]["items"]
        bound = {
            b.external_id: b
            for b in self.env[CATEGORY_MODEL].search(
                [("backend_id", "=", self.backend.id)]
            )
        }
        self.assertEqual(set(bound), {str(c["id"]) for c in tree})
        for category in tree:
            odoo = bound[str(category["id"])]
            self.assertEqual(odoo.name, category["name"])
            parent = category["parent_id"]
            self.assertEqual(
                odoo.parent_id, bound[str(parent)].odoo_id if parent else odoo.parent_id
            )
            if not parent:
                self.assertNotIn(odoo.parent_id, [b.odoo_id for b in bound.values()])
        for external_id, product in self.remote_products().items():
            self.assertEqual(
                self.binding(external_id).categ_id,
                bound[str(product["category_id"])].odoo_id,
            )
        self.assertEqual(
            bound["2"].complete_name, f"{bound['1'].complete_name} / Kitchen"
        )

        # The product moves remotely: the next import moves it in Odoo.
        target = "6" if self.binding("1").categ_id != bound["6"].odoo_id else "2"
        self.remote("PATCH", "/api/v1/products/1", json={"category_id": int(target)})
        # A category the platform does not list leaves the product where it
        # is: the product still imports.
        self.remote(
            "POST",
            "/admin/corrupt",
            json={"product_id": 2, "fields": {"category_id": 99}},
        )
        before = self.binding("2").categ_id
        self.import_products()
        self.assertEqual(self.binding("1").categ_id, bound[target].odoo_id)
        self.assertEqual(self.binding("2").categ_id, before)
        self.assertEqual(
            self.binding("2").remote_updated_at,
            self.remote_products()["2"]["updated_at"],
        )

    def test_ecommerce_categories_when_website_sale_is_installed(self):
        if "product.public.category" not in self.env:
            self.skipTest("eCommerce (website_sale) is not installed")
        self.import_products()
        bound = {
            b.external_id: b
            for b in self.env[CATEGORY_MODEL].search(
                [("backend_id", "=", self.backend.id)]
            )
        }
        Public = self.env["product.public.category"]
        for category in self.remote("GET", "/api/v1/categories")["data"]["items"]:
            public = Public.browse(bound[str(category["id"])].public_category_ref)
            self.assertEqual(public.name, category["name"])
            parent = category["parent_id"]
            self.assertEqual(
                public.parent_id.id,
                bound[str(parent)].public_category_ref if parent else False,
            )
        for external_id, product in self.remote_products().items():
            self.assertEqual(
                self.binding(external_id).public_categ_ids.ids,
                [bound[str(product["category_id"])].public_category_ref],
            )
