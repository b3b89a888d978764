"""Where a sweep's tasks run: here, on a local Dask cluster, or on a running Dask scheduler.

``--cluster`` takes ``local:N`` (a ``LocalCluster`` of N worker processes with one
thread each: the simulation is numpy-bound and holds the GIL between array
operations, so processes, not threads) or ``tcp://HOST:PORT`` (a ``dask
scheduler`` already running, with ``dask worker`` processes on other machines).
Without it the tasks run in this process and dask is not imported at all.

The payload (cell counts, rates, policies, root seed) is scattered once with
``broadcast=True`` so each worker holds it before the tasks arrive; a task
message then carries only its (policy, first, last replication) triple. Results
come back as they complete, in any order; ``sweep.run_sweep`` stores them by
index, so the order does not matter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from scheduler.errors import InvalidInputError
from scheduler.simulation.sweep import SweepPayload, SweepTask, run_task

__all__ = ["ClusterSpec", "parse_cluster", "run_tasks"]

MAX_LOCAL_WORKERS = 256

WORKER_MALLOC = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 1 << 30,
    "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": 1 << 25,
}
"""glibc settings for the worker processes a ``LocalCluster`` spawns.

Dask's nannies set ``MALLOC_TRIM_THRESHOLD_=65536``, which also freezes glibc's mmap
threshold at 128 KiB: every million-element temporary of a period-step (8 MB) is then
mmap-ed, page-faulted and unmapped again. Measured on 1M entities x 160 period-steps:
12.1 s of CPU on one worker with dask's default, 7.6 s with these, 6.1 s in-process
(start-up included). Remote workers: set the same through the environment, see
``docs/simulation.md``."""


@dataclass(frozen=True)
class ClusterSpec:
    """``workers`` local processes, or the ``address`` of a running scheduler."""

    workers: int | None = None
    address: str | None = None


def parse_cluster(text: str | None) -> ClusterSpec | None:
    """``None`` (in-process), ``local:N`` or ``tcp://HOST:PORT``."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    if text.startswith("local:"):
        count = text.removeprefix("local:")
        if not count.isdigit() or not 1 <= int(count) <= MAX_LOCAL_WORKERS:
            raise InvalidInputError(
                f"a local cluster local:N needs N from 1 to {MAX_LOCAL_WORKERS} workers; "
                f"got {text!r}"
            ).about("cluster")
        return ClusterSpec(workers=int(count))
    if text.startswith(("tcp://", "tls://")):
        host, _, port = text.split("://", 1)[1].rpartition(":")
        if not host or not port.isdigit():
            raise InvalidInputError(
                f"a cluster address must be tcp://HOST:PORT; got {text!r}"
            ).about("cluster")
        return ClusterSpec(address=text)
    raise InvalidInputError(f"a cluster is local:N or tcp://HOST:PORT; got {text!r}").about(
        "cluster"
    )


def run_tasks(
    payload: SweepPayload,
    tasks: list[SweepTask],
    *,
    cluster: ClusterSpec | None,
    progress: Callable[[int, int], None] | None = None,
    connected: Callable[[str], None] | None = None,
) -> Iterator[tuple[SweepTask, np.ndarray]]:
    """Yield ``(task, counts)`` as tasks complete.

    ``connected`` is called with the Dask dashboard link once the cluster is up;
    ``progress`` with ``(done, total)`` after each task.
    """
    total = len(tasks)
    if cluster is None:
        for done, task in enumerate(tasks, start=1):
            yield run_task(payload, task)
            if progress:
                progress(done, total)
        return
    from distributed import Client, LocalCluster, as_completed

    local = None
    if cluster.workers is not None:
        import dask

        with dask.config.set(WORKER_MALLOC):
            local = LocalCluster(
                n_workers=cluster.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # a free port: other runs may hold 8787
                silence_logs=logging.ERROR,
            )
        client = Client(local)
        client.wait_for_workers(cluster.workers)
    else:
        client = Client(cluster.address)
        client.wait_for_workers(1)  # a broadcast reaches the workers present; later ones fetch it
    try:
        if connected:
            connected(str(client.dashboard_link))
        shared = client.scatter(payload, broadcast=True)
        futures = [client.submit(run_task, shared, task, pure=False) for task in tasks]
        for done, future in enumerate(as_completed(futures), start=1):
            yield future.result()
            future.release()
            if progress:
                progress(done, total)
    finally:
        client.close()
        if local is not None:
            local.close()
