from . import myconnector_backend
