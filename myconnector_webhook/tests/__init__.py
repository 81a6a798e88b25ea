from . import test_webhook_controller
