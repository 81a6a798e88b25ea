from . import category
from . import product
