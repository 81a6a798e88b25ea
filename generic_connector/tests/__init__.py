from . import test_webhook_inbox
from . import test_mock_adapter
