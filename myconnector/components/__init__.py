from . import core
from . import product
from . import product_exporter
from . import customer
from . import inventory
from . import order
from . import order_exporter
from . import stock_exporter
