"""Background jobs: work that comes due with time rather than with a request.

Every replica runs a ``JobRunner`` over the same jobs; they coordinate through Postgres alone
(each due key is claimed with ``FOR UPDATE SKIP LOCKED`` in its own transaction), never through
an election. A job is anything that satisfies ``Job``.
"""

from api.jobs.deletion import DeletionJob, StoreKeyDestroyer
from api.jobs.imports import ImportExpiryJob
from api.jobs.rotation import RotationJob
from api.jobs.runner import Claim, Handle, Job, JobRunner, drain

__all__ = [
    "Claim",
    "DeletionJob",
    "Handle",
    "ImportExpiryJob",
    "Job",
    "JobRunner",
    "RotationJob",
    "StoreKeyDestroyer",
    "drain",
]
