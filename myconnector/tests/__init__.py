from . import test_backend
from . import test_import_products
from . import test_sync_runs
from . import test_operations
