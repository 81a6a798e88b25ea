from . import test_generic_backend
from . import test_generic_category
from . import test_generic_product_template
from . import test_generic_product_variant
