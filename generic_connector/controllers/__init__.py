from . import webhook
from . import runjob
from . import metrics
