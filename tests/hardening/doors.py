"""Both doors of a served keygraph over real HTTP, as a client without an SDK meets them: GraphQL
and AWS's JSON protocol, each with the account root's bearer token, and what each answer says."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

AWS_CONTENT_TYPE = "application/x-amz-json-1.1"


@dataclass(frozen=True)
class Answer:
    """One response: its status, ``Retry-After``, and the code it carries (None for success)."""

    status: int
    code: str | None
    retry_after: str | None
    body: Any

    @classmethod
    def of(cls, response: httpx.Response) -> Answer:
        """Raises when the body is not JSON: an uncoded answer (a plain-text 500) is a failure."""
        body = json.loads(response.content)
        if "errors" in body:
            code = body["errors"][0]["extensions"]["code"]
        else:
            code = body.get("__type") if isinstance(body, dict) else None
        return cls(response.status_code, code, response.headers.get("retry-after"), body)


@dataclass
class Doors:
    url: str
    token: str = field(repr=False)

    @classmethod
    def of(cls, url: str, home: Path) -> Doors:
        """The doors of the server at ``url`` as the root of ``home``'s admin token."""
        return cls(url, (home / "admin-token").read_text(encoding="ascii").strip())

    def graphql(self, query: str, variables: Any = None) -> Answer:
        return self.graphql_body({"query": query, "variables": variables or {}})

    def graphql_body(self, body: Any) -> Answer:
        # json.dumps escapes what UTF-8 cannot carry (a lone surrogate), as JSON clients do.
        response = httpx.post(
            f"{self.url}/graphql",
            content=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            timeout=30,
        )
        return Answer.of(response)

    def aws(self, action: str, body: Any) -> Answer:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        response = httpx.post(
            f"{self.url}/",
            content=content,
            headers={
                "Authorization": f"Bearer {self.token}",
                "X-Amz-Target": f"TrentService.{action}",
                "Content-Type": AWS_CONTENT_TYPE,
            },
            timeout=30,
        )
        return Answer.of(response)

    def healthy(self) -> bool:
        return httpx.get(f"{self.url}/healthz", timeout=10).status_code == 200
