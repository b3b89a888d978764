"""Credit-weighted 双随机、一公开 inspection scheduler.

The library plans random market inspections: it draws targets with exact,
credit-tier-dependent inclusion probabilities, matches them to lawful inspector
teams on working days, publishes masked results and simulates policies.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("inspection-scheduler")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
