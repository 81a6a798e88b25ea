/** @odoo-module */
/* Copyright 2026 MyConnector Suite contributors
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
/*
 * What an admin does with the suite, in a real browser. The Python side
 * (tests/test_tours.py) prepares the data and runs the queue jobs between
 * the tours: a tour only sees what the UI shows.
 */
import {registry} from "@web/core/registry";

const tours = registry.category("web_tour.tours");
const current = (label) =>
    `.o_statusbar_status button[aria-checked="true"]:contains("${label}")`;

tours.add("connector_create_backend_test_connection", {
    test: true,
    url: "/web#action=myconnector.myconnector_backend_action",
    steps: () => [
        {content: "New backend", trigger: ".o_list_button_add"},
        {
            content: "Name it",
            trigger: ".o_field_widget[name=name] input",
            run: "text Tour shop",
        },
        {
            content: "A base URL where nothing listens",
            trigger: ".o_field_widget[name=base_url] input",
            run: "text http://127.0.0.1:9",
        },
        {
            content: "An API key",
            trigger: ".o_field_widget[name=api_key] input",
            run: "text some-key",
        },
        {content: "Test the connection", trigger: "button[name=action_test_connection]"},
        {
            content: "The status bar says Failed at once, without a reload",
            trigger: current("Failed"),
            isCheck: true,
        },
        {
            content: "And the reason is one readable sentence",
            trigger:
                ".o_field_widget[name=connection_message]:contains('Could not connect to the remote (connection refused)')",
            isCheck: true,
        },
    ],
});

tours.add("connector_import_products", {
    test: true,
    url: "/web#action=myconnector.myconnector_backend_action",
    steps: () => [
        {content: "Open the backend", trigger: ".o_data_row td:contains('Tour sandbox')"},
        {content: "Import products", trigger: "button[name=action_import_products]"},
        {
            content: "The run is logged at once",
            trigger: "button[name=action_view_sync_runs]:contains('1')",
        },
        {
            content: "It is running: its jobs wait for the job runner",
            trigger: ".o_data_row:contains('Running')",
            isCheck: true,
        },
    ],
});

tours.add("connector_retry_failed_record", {
    test: true,
    url: "/web#action=generic_connector.generic_sync_run_action",
    steps: () => [
        {content: "The run is partial", trigger: ".o_data_row:contains('Partial') td.o_data_cell"},
        {
            content: "It names the record and its reason",
            trigger: ".o_field_widget[name=failure_ids] .o_data_row:contains('invalid price')",
            isCheck: true,
        },
        {
            content: "Retry it (fixed remotely meanwhile)",
            trigger: ".o_field_widget[name=failure_ids] button[name=action_retry]",
        },
        {
            content: "It is being retried",
            trigger: ".o_field_widget[name=failure_ids] .o_data_row:contains('Retrying')",
            isCheck: true,
        },
    ],
});

tours.add("connector_run_done", {
    test: true,
    url: "/web#action=generic_connector.generic_sync_run_action",
    steps: () => [
        {content: "The run is done now", trigger: ".o_data_row:contains('Done') td.o_data_cell"},
        {content: "All its records imported", trigger: current("Done"), isCheck: true},
        {
            content: "Its watermark moved, shown as a date",
            trigger: ".o_field_widget[name=watermark_after_at]:not(:empty)",
            isCheck: true,
        },
    ],
});

tours.add("connector_reprocess_webhook", {
    test: true,
    url: "/web#action=generic_connector.generic_webhook_action",
    steps: () => [
        {content: "The failed event", trigger: ".o_data_row:contains('Failed') td.o_data_cell"},
        {
            content: "Its error says what went wrong",
            trigger: ".o_field_widget[name=error]:contains('invalid price')",
            isCheck: true,
        },
        {
            content: "Reprocess it: the highlighted button of a failed event",
            trigger: "button.btn-primary[name=action_reprocess]",
        },
        {content: "It waits for its new job", trigger: current("Pending"), isCheck: true},
    ],
});

tours.add("connector_dashboard", {
    test: true,
    url: "/web#action=myconnector.myconnector_backend_dashboard_action",
    steps: () => [
        {
            content: "The backend with a wrong key is flagged, with the reason",
            trigger:
                ".o_kanban_record:contains('Tour wrong key'):contains('refused our credentials')",
            isCheck: true,
        },
        {
            content: "The healthy one is not",
            trigger: ".o_kanban_record:contains('Tour sandbox'):contains('Healthy')",
            isCheck: true,
        },
        {
            content: "Open the failing one",
            trigger: ".o_kanban_record:contains('Tour wrong key') .o_kanban_record_title",
        },
        {
            content: "Its form says what needs attention",
            trigger: ".alert-danger:contains('refused our credentials')",
            isCheck: true,
        },
    ],
});

tours.add("connector_plan_products", {
    test: true,
    url: "/web#action=myconnector.myconnector_backend_action",
    steps: () => [
        {content: "Open the backend", trigger: ".o_data_row td:contains('Tour sandbox')"},
        {
            content: "Plan the products import",
            trigger: "button[name=action_plan_import]:contains('Plan products import')",
        },
        {
            content: "The plan opens: it is made in the background, nothing written",
            trigger: current("Planning"),
            isCheck: true,
        },
    ],
});

tours.add("connector_apply_plan", {
    test: true,
    url: "/web#action=generic_connector.generic_import_plan_action",
    steps: () => [
        {content: "Open the plan", trigger: ".o_data_row:contains('Ready') td.o_data_cell"},
        {
            content: "It would create 8 products",
            trigger: ".o_field_widget[name=create_count]:contains('8')",
            isCheck: true,
        },
        {
            content: "And bind the 4 Odoo already has, by SKU",
            trigger: ".o_field_widget[name=bind_count]:contains('4')",
            isCheck: true,
        },
        {
            content: "Each record is listed with its reason",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains('same Internal Reference')",
            isCheck: true,
        },
        {content: "Apply it", trigger: "button[name=action_apply]"},
        {
            content: "The plan is applied, in a run of its own",
            trigger: current("Applied"),
            isCheck: true,
        },
    ],
});
