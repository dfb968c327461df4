"""One call of an operation: who makes it, in which scope, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from api.keys.ids import Scope
from api.principals import Principal


@dataclass(frozen=True)
class Call:
    principal: Principal
    scope: Scope
    now: datetime
    request_id: str = ""
