from . import category
