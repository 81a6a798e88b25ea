from . import test_backend
from . import test_import_products
from . import test_export_products
from . import test_import_customers
from . import test_export_concurrency
from . import test_protocols
from . import test_inventory
from . import test_mock_adapter
