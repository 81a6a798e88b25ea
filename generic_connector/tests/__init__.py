from . import test_webhook_inbox
