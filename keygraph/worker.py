"""The app as each worker process builds it (``keygraph serve --workers N``).

uvicorn starts workers as fresh processes that import this factory, so each opens its own
database pool and initialises the PKCS#11 module itself: a module initialised before a fork is
not usable in the child. Settings come from the environment, which ``keygraph dev`` fills in with
what it made (``api.embedded.environment_of``).
"""

from __future__ import annotations

from starlette.applications import Starlette

from api.logs import configure_logging
from api.settings import from_env
from keygraph.app import keygraph_app


def app() -> Starlette:
    configure_logging()
    return keygraph_app(from_env())
