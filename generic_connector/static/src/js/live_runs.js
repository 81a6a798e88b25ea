/** @odoo-module */
/* Copyright 2026 MyConnector Suite contributors
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
/*
 * Views that follow sync runs without a reload: the run form, the run list
 * and the connector dashboard. Each asks the server, every few seconds, for
 * the revision of the runs it shows (``generic.sync.run.live_revision``: one
 * cheap grouped query) and reloads its records when it changed. It asks
 * every 2 s while a run is running, every 10 s otherwise (a run started
 * elsewhere: a cron, a webhook). A short poll rather than the bus: it needs
 * nothing from the server's set-up (no websocket worker, no gevent port
 * behind a proxy) and a missed poll is caught up by the next one.
 */
import {onMounted, onWillUnmount} from "@odoo/owl";
import {FormController} from "@web/views/form/form_controller";
import {KanbanController} from "@web/views/kanban/kanban_controller";
import {ListController} from "@web/views/list/list_controller";
import {formView} from "@web/views/form/form_view";
import {kanbanView} from "@web/views/kanban/kanban_view";
import {listView} from "@web/views/list/list_view";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";

export const POLL_RUNNING_MS = 2000;
export const POLL_IDLE_MS = 10000;

/**
 * Poll the revision of the runs ``domain()`` selects; ``reload()`` when it
 * changed since the previous poll. The first poll, at mount, only takes the
 * revision the view was loaded with.
 */
export function useLiveRuns(domain, reload) {
    const orm = useService("orm");
    let timer = null;
    let last = null;
    let stopped = false;
    async function poll() {
        let delay = POLL_IDLE_MS;
        try {
            const live = await orm.silent.call("generic.sync.run", "live_revision", [
                domain(),
            ]);
            if (last !== null && live.revision !== last && !stopped) {
                await reload();
            }
            last = live.revision;
            delay = live.running ? POLL_RUNNING_MS : POLL_IDLE_MS;
        } catch {
            // The server is restarting or unreachable: the next poll tells.
            delay = POLL_IDLE_MS;
        }
        if (!stopped) {
            timer = setTimeout(poll, delay);
        }
    }
    onMounted(() => poll());
    onWillUnmount(() => {
        stopped = true;
        clearTimeout(timer);
    });
}

export class LiveRunFormController extends FormController {
    setup() {
        super.setup();
        useLiveRuns(
            () => [["id", "=", this.model.root.resId || 0]],
            () => this.model.root.load()
        );
    }
}

export class LiveRunListController extends ListController {
    setup() {
        super.setup();
        useLiveRuns(
            () => this.model.root.domain,
            () => this.model.root.load()
        );
    }
}

/** A kanban of backends (the dashboard): the runs of the backends shown. */
export class LiveBackendKanbanController extends KanbanController {
    setup() {
        super.setup();
        useLiveRuns(
            () => [
                ["backend_model", "=", this.props.resModel],
                ["backend_id", "in", this.model.root.records.map((r) => r.resId)],
            ],
            () => this.model.root.load()
        );
    }
}

const views = registry.category("views");
views.add("generic_sync_run_form", {...formView, Controller: LiveRunFormController});
views.add("generic_sync_run_list", {...listView, Controller: LiveRunListController});
views.add("generic_connector_live_kanban", {
    ...kanbanView,
    Controller: LiveBackendKanbanController,
});
