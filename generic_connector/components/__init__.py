from . import core
from . import adapter
from . import graphql_adapter
from . import soap_adapter
from . import binder
from . import mapper
from . import importer
