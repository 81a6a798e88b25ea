from . import generic_backend_health
from . import generic_backend
from . import generic_binding
from . import generic_webhook
from . import generic_sync_run
from . import generic_sync_run_failure
from . import generic_sync_run_tally
from . import queue_job
