from . import myconnector_backend
from . import myconnector_product_template
from . import product_template
