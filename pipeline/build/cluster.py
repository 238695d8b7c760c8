"""`batch --scheduler tcp://HOST:8786`: the same jobs on a Dask distributed cluster.

`dask scheduler` runs on one machine and `dask worker` on the others, each
with the project installed (`make setup`) and its fonts. No filesystem is
shared: the inputs are scattered to every worker once, as bytes; each task
builds one row (batch_job.build_job) and returns the products as bytes, which
the client writes. A worker keeps its imports and drawn charts between tasks.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..rules import INTERNAL
from .batch_job import ROOT, Inputs, Job, Outcome, build_job

class SchedulerUnreachable(Exception):
    """No Dask scheduler answered at the address: the machine's fault, not the report's."""


def cluster_outcomes(address: str, inputs: Inputs, jobs: list[Job],
                     timeout: float = 20.0) -> Iterator[Outcome]:
    """Yields the outcome of every job as the cluster's workers finish them."""
    from distributed import Client, as_completed
    try:
        client = Client(address, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise SchedulerUnreachable(f"no Dask scheduler answered at {address} within "
                                   f"{timeout:g} s ({exc})") from None
    try:
        shared = client.scatter(inputs, broadcast=True, hash=False)
        futures = {client.submit(build_job, shared, job, pure=False): job for job in jobs}
        for future in as_completed(list(futures), loop=client.loop):
            try:
                yield future.result()
            except Exception as exc:  # noqa: BLE001 -- a lost worker fails its report alone
                job = futures[future]
                yield Outcome(job.id, (), (INTERNAL.at(ROOT, None, f"the Dask task building "
                                                       f"'{job.id}' failed: "
                                                       f"{type(exc).__name__}: {exc}"),), True)
    finally:
        client.close()
