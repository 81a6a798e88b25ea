from . import components
from . import http_outage
from . import models
