/** @odoo-module */
/* Copyright 2026 MyConnector Suite contributors
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
/*
 * A record's timeline, as support reads it: open a product binding, its
 * timeline, the version an update applied and its diff, then replay the
 * version the import created (tests/test_tours.py runs the job).
 */
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("connector_record_timeline", {
    test: true,
    url: "/web#action=myconnector.myconnector_product_template_action",
    steps: () => [
        {
            content: "Open the product whose price changed on the platform",
            trigger: ".o_data_row:contains('123.45') td.o_data_cell",
        },
        {
            content: "Its timeline holds two versions",
            trigger: "button[name=action_view_timeline]:contains('2')",
        },
        {
            content: "The update names the field it changed",
            trigger: ".o_data_row:contains('Updated'):contains('Sales Price') td.o_data_cell",
        },
        {
            content: "Its diff shows the old and the new price",
            trigger: ".o_field_widget[name=diff_text]:contains('Sales Price'):contains('→ 123.45')",
            isCheck: true,
        },
        {
            content: "Back to the timeline",
            trigger: ".o_back_button, .breadcrumb-item:not(.active):last a",
        },
        {
            content: "Open the version the first import created",
            trigger: ".o_data_row:contains('Created') td.o_data_cell",
        },
        {content: "Replay it", trigger: "button[name=action_replay]"},
        {content: "Confirm", trigger: ".modal-footer .btn-primary"},
        {
            content: "The replay waits for its job",
            trigger: ".o_field_widget[name=replay_state]:contains('Pending')",
            isCheck: true,
        },
    ],
});
