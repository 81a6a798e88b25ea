from . import core
from . import product
from . import inventory
