"""``python -m dashboard.launch run app.py [flags]``: Streamlit's own CLI, the first page prepared.

``streamlit run`` does nothing for the app until a browser connects: the first
page then pays for importing pandas, SQLAlchemy, the models, the chart library
and the schema check, and for reading the reference tables, while the user
waits. Here a background thread does that work as soon as the server's runtime
exists, while the browser is still loading the page's JavaScript, so the first
script run finds the modules imported and the shared caches
(``dashboard.connection.engine_for``, ``dashboard.state``) filled. The caches
are the ones every session uses (``st.cache_resource``/``st.cache_data`` of the
running server), so nothing is computed twice; if the warm-up fails, the page
does the same work itself and shows the error.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import time

__all__ = ["PRELOAD", "main", "skip_component_scan", "warm_up"]

PRELOAD: tuple[str, ...] = (
    "pandas",
    "pyarrow",
    "sqlalchemy",
    "scheduler.store.models",
    "scheduler.store.schema",
    "scheduler.store.readback",
    "scheduler.views.overview_store",
    "scheduler.publication.commitments",
    "dashboard.access",
    "dashboard.state",
    "dashboard.views",
    "dashboard.commitments_view",
    "altair",
)
"""What the first page (总览) imports, heaviest first; the warm-up imports it in this order."""

RUNTIME_WAIT_SECONDS = 120.0

_LOG = logging.getLogger(__name__)


def _runtime_started(timeout: float) -> bool:
    """Wait until the server's runtime exists: caches filled earlier would be another store."""
    from streamlit.runtime import Runtime

    deadline = time.monotonic() + timeout
    while not Runtime.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def warm_up() -> None:
    """Import the first page's modules, then fill the caches it reads (engine, reference tables)."""
    try:
        for name in PRELOAD:
            importlib.import_module(name)
        if not _runtime_started(RUNTIME_WAIT_SECONDS):
            return
        from dashboard.state import division_sizes, small_directory

        if small_directory() is not None:  # the schema check and the reference tables
            division_sizes()  # the stored overview of the current version
    except Exception:  # the page repeats the work and reports what went wrong
        _LOG.warning("dashboard warm-up failed; the first page does the work", exc_info=True)


def skip_component_scan() -> bool:
    """Skip Streamlit's start-up scan for "v2" custom components; whether it was skipped.

    The runtime reads the metadata of every installed distribution looking for
    component manifests (1-2 s of every server start here). The dashboard ships
    and uses no custom component, so the scan can only find nothing it needs.
    """
    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:
        return False
    if not hasattr(manifest_scanner, "scan_component_manifests"):
        return False
    manifest_scanner.scan_component_manifests = lambda *args, **kwargs: []  # type: ignore[assignment]
    return True


def main(argv: list[str] | None = None) -> None:
    """Start the warm-up thread, then Streamlit's command line with ``argv`` (``run ...``)."""
    from streamlit.web import cli

    skip_component_scan()
    threading.Thread(target=warm_up, name="dashboard-warm-up", daemon=True).start()
    sys.argv = ["streamlit", *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
