from . import components
from . import controllers
from . import http_outage
from . import models
