from . import test_backend
from . import test_import_products
from . import test_protocols
from . import test_inventory
from . import test_mock_adapter
