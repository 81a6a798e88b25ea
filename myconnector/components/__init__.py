from . import core
from . import product
from . import product_exporter
from . import customer
from . import inventory
