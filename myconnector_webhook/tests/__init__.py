from . import test_webhook_controller
from . import test_webhook_runs
