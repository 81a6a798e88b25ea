/** @odoo-module */
/* Copyright 2026 MyConnector Suite contributors
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
/*
 * What a new admin expects without being told: a run's form follows the
 * run, the imported orders are theirs to find, dates read as dates. The
 * Python side (tests/test_tours.py) prepares the data; in the first tour it
 * runs the jobs while the form is open, as the job runner would.
 */
import {registry} from "@web/core/registry";

const tours = registry.category("web_tour.tours");
const current = (label) =>
    `.o_statusbar_status button[aria-checked="true"]:contains("${label}")`;

tours.add("connector_run_done_live", {
    test: true,
    url: "/web#action=myconnector.myconnector_backend_action",
    steps: () => [
        {content: "Open the backend", trigger: ".o_data_row td:contains('Tour sandbox')"},
        {content: "Import products", trigger: "button[name=action_import_products]"},
        {
            content: "Open its runs",
            trigger: "button[name=action_view_sync_runs]:contains('1')",
        },
        {content: "Open the run", trigger: ".o_data_row:contains('Running') td.o_data_cell"},
        {content: "It is running", trigger: current("Running"), isCheck: true},
        {
            content: "Its jobs run meanwhile: the form turns Done by itself",
            trigger: current("Done"),
            timeout: 60000,
            isCheck: true,
        },
        {
            content: "With what it did",
            trigger: ".o_field_widget[name=created]:contains('12')",
            isCheck: true,
        },
    ],
});

tours.add("connector_my_quotations", {
    test: true,
    url: "/web#action=sale.action_quotations_with_onboarding",
    steps: () => [
        {
            content: "Sales > Quotations opens on My Quotations",
            trigger: ".o_searchview_facet:contains('My Quotations')",
            isCheck: true,
        },
        {
            // Real rows: an empty list shows sample rows instead.
            content: "The imported orders are listed: the admin is their salesperson",
            trigger: ".o_list_view:not(:has(.o_view_sample_data)) .o_data_row",
            isCheck: true,
        },
    ],
});

tours.add("connector_watermark_as_date", {
    test: true,
    url: "/web#action=myconnector.myconnector_backend_action",
    steps: () => [
        {content: "Open the backend", trigger: ".o_data_row td:contains('Tour sandbox')"},
        {
            content: "Products imported until a date",
            trigger: ".o_field_widget[name=products_imported_until_at]:contains('12/02/2026')",
            isCheck: true,
        },
        {
            content: "Customers too",
            trigger: ".o_field_widget[name=customers_imported_until_at]:contains('12/02/2026')",
            isCheck: true,
        },
        {
            content: "Orders too",
            trigger: ".o_field_widget[name=orders_imported_until_at]:contains('12/02/2026')",
            isCheck: true,
        },
        {
            content: "Nowhere the raw timestamp",
            trigger: ".o_form_view:not(:contains('2026-12-02T12:11:52'))",
            isCheck: true,
        },
    ],
});

tours.add("connector_reprocess_done_not_highlighted", {
    test: true,
    url: "/web#action=generic_connector.generic_webhook_action",
    steps: () => [
        {content: "The event, done now", trigger: ".o_data_row:contains('Done') td.o_data_cell"},
        {
            content: "Reprocess is there, not as the highlighted button",
            trigger:
                ".o_form_view:has(button.btn-secondary[name=action_reprocess]):not(:has(button.btn-primary[name=action_reprocess]))",
            isCheck: true,
        },
    ],
});
