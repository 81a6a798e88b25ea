from . import core
from . import product
