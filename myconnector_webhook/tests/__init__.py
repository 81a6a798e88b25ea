from . import test_webhook_controller
from . import test_webhook_events
from . import test_webhook_orders
from . import test_webhook_parser
from . import test_webhook_runs
from . import test_tours
from . import test_webhook_intake_job
from . import test_webhook_stock
