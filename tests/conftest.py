"""Pure-Python test configuration: no Odoo here.

``generic_connector`` is an Odoo addon whose ``__init__`` imports Odoo. Its
``transport`` sub-package never does, so it is imported here through a bare
package object that points at the addon folder without running that
``__init__``: the same files Odoo loads, tested without Odoo.
"""

import sys
import types
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

if "generic_connector" not in sys.modules:
    _package = types.ModuleType("generic_connector")
    _package.__path__ = [str(REPO_ROOT / "generic_connector")]
    sys.modules["generic_connector"] = _package
