from . import myconnector_backend
from . import myconnector_product_template
from . import myconnector_res_partner
from . import product_template
from . import res_partner
from . import myconnector_product_product
from . import myconnector_inventory_location
from . import product_product
