from . import generic_backend
from . import generic_binding
from . import generic_export_pending
from . import generic_webhook
from . import generic_webhook_receipt
