"""The background jobs every replica runs, and their start and stop with the application."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from api.jobs import DeletionJob, ImportExpiryJob, Job, JobRunner, RotationJob
from api.keys.custom_stores import destroy_store_key
from api.services import Services


def standard_jobs() -> list[Job]:
    return [DeletionJob(destroy_store_key=destroy_store_key), RotationJob(), ImportExpiryJob()]


@contextlib.asynccontextmanager
async def running_jobs(services: Services) -> AsyncIterator[JobRunner]:
    runner = JobRunner(services, standard_jobs(), services.settings.job_interval_seconds)
    runner.start()
    try:
        yield runner
    finally:
        await runner.stop()
