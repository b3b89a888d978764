"""SQLModel tables. Importing this package registers every table on ``SQLModel.metadata``.

One module per area: ``core`` (the directories and the audit log), ``plans``
(plans, draws, drawn entities), ``assignments``, ``publication`` (results,
objections, credit repair, reports).
"""

from scheduler.store.models.assignments import *  # noqa: F403
from scheduler.store.models.core import *  # noqa: F403
from scheduler.store.models.plans import *  # noqa: F403
from scheduler.store.models.publication import *  # noqa: F403
from scheduler.store.models.users import *  # noqa: F403
