from . import test_generic_backend
from . import test_generic_category
