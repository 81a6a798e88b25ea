from . import test_chunk_import
from . import test_sync_finalize
from . import test_export_conflict
from . import test_webhook_dedupe
from . import test_record_import
from . import test_variants
from . import test_resources
from . import test_import_plan
