from . import example_backend
from . import example_product
