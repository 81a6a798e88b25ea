/** @odoo-module */
/* Copyright 2026 MyConnector Suite contributors
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
/*
 * Orders by payment: an admin sees why an imported order is held, then maps
 * its payment gateway to a journal on the backend (tests/test_tours.py
 * imports the order and checks the mapping).
 */
import {registry} from "@web/core/registry";

const tours = registry.category("web_tour.tours");

tours.add("connector_held_order", {
    test: true,
    url: "/web#action=myconnector.myconnector_sale_order_action",
    steps: () => [
        {content: "Open the held order", trigger: ".o_data_row:contains('#TOUR-1') td.o_data_cell"},
        {
            content: "The form says why it is held: the gateway has no journal",
            trigger:
                ".alert[name=hold_alert]:contains(\"Payment gateway 'tourpay' has no journal\")",
            isCheck: true,
        },
        {
            content: "And the tax the taxes table lacks",
            trigger: ".alert[name=hold_alert]:contains(\"Tax 'Tour VAT' (7.5%, BE, excluded)\")",
            isCheck: true,
        },
    ],
});

tours.add("connector_map_payment_gateway", {
    test: true,
    url: "/web#action=myconnector.myconnector_backend_action",
    steps: () => [
        {content: "Open the backend", trigger: ".o_data_row td:contains('Tour sandbox')"},
        {content: "Its payment gateways", trigger: ".o_notebook a:contains('Payment Gateways')"},
        {
            content: "The gateway seen in an order is there, without journal",
            trigger: ".o_field_widget[name=payment_gateway_ids] .o_data_row:contains('tourpay') td[name=journal_id]",
        },
        {
            content: "Pick the bank journal",
            trigger: ".o_field_widget[name=payment_gateway_ids] .o_field_widget[name=journal_id] input",
            run: "text Tour bank",
        },
        {content: "The journal", trigger: ".ui-autocomplete .ui-menu-item a:contains('Tour bank')"},
        {content: "Save", trigger: ".o_form_button_save"},
        {
            content: "Saved",
            trigger: ".o_form_saved, .o_form_readonly, .o_form_status_indicator:not(:has(.o_form_button_save:visible))",
            isCheck: true,
        },
    ],
});
