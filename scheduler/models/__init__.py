"""SQLModel tables. Importing this package registers every table on ``SQLModel.metadata``.

One module per area: ``core`` (the directories and the audit log), ``plans``
(plans, draws, drawn entities), ``assignments``, ``publication`` (results,
objections, credit repair, reports).
"""

from scheduler.models.assignments import *  # noqa: F403
from scheduler.models.core import *  # noqa: F403
from scheduler.models.plans import *  # noqa: F403
from scheduler.models.publication import *  # noqa: F403
from scheduler.models.users import *  # noqa: F403
