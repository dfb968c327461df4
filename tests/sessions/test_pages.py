"""The pages a browser opens: ``/`` sends it to ``/ui/``, the built dashboard is served with
its client routes and security headers (or a 503 saying how to build it), and the GraphiQL page
opens whatever its query string."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from api.browser import CONTENT_SECURITY_POLICY
from api.services import Services
from api.settings import Mode
from keygraph.app import keygraph_app
from tests.graphql_client import app_client
from tests.sessions.conftest import IDE, INDEX, SCRIPT

HTML = {"Accept": "text/html,application/xhtml+xml"}
NOT_BUILT = (
    "The dashboard is not built: run `make run`, which builds it (or `npm run build` in "
    "dashboard/)."
)


def assert_page_headers(response: httpx.Response) -> None:
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("method", ["GET", "HEAD"])
async def test_the_root_sends_a_browser_to_the_ui(browser: httpx.AsyncClient, method: str) -> None:
    response = await browser.request(method, "/", headers=HTML)
    assert response.status_code == 307
    assert response.headers["location"] == "/ui/"


async def test_the_aws_door_still_answers_posts_to_the_root(browser: httpx.AsyncClient) -> None:
    response = await browser.post(
        "/",
        content=b"{}",
        headers={
            "X-Amz-Target": "TrentService.ListKeys",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    assert response.status_code == 400
    assert response.json()["__type"] == "MissingAuthenticationTokenException"


async def test_the_ui_is_served_without_credentials(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/ui/", headers=HTML)
    assert page.status_code == 200
    assert page.text == INDEX
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-cache"
    assert_page_headers(page)
    script = await browser.get("/ui/assets/app.js")
    assert script.status_code == 200
    assert script.text == SCRIPT
    assert "javascript" in script.headers["content-type"]
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert_page_headers(script)
    bare = await browser.get("/ui", headers=HTML)
    assert bare.status_code == 307
    assert bare.headers["location"].endswith("/ui/")


@pytest.mark.parametrize("route", ["/ui/keys", "/ui/keys/1234abcd-12ab-34cd-56ef-1234567890ab"])
async def test_client_routes_answer_the_index_page(browser: httpx.AsyncClient, route: str) -> None:
    page = await browser.get(route, headers=HTML)
    assert page.status_code == 200
    assert page.text == INDEX
    assert_page_headers(page)


async def test_a_missing_asset_is_a_404_not_the_index_page(browser: httpx.AsyncClient) -> None:
    response = await browser.get("/ui/assets/gone-1234.js")
    assert response.status_code == 404
    assert response.text != INDEX


async def test_the_ui_cannot_reach_outside_its_folder(
    browser: httpx.AsyncClient, dashboard: Path
) -> None:
    (dashboard.parent / "secret.txt").write_text("not for the web", encoding="utf-8")
    for path in ("/ui/../secret.txt", "/ui/%2e%2e/secret.txt", "/ui/assets/../../secret.txt"):
        response = await browser.get(path)
        assert "not for the web" not in response.text


async def test_the_ui_answers_503_until_it_is_built(
    browser: httpx.AsyncClient, dashboard: Path
) -> None:
    shutil.rmtree(dashboard)
    for path in ("/ui/", "/ui/keys"):
        response = await browser.get(path, headers=HTML)
        assert response.status_code == 503
        assert response.text == NOT_BUILT
        assert response.headers["content-type"].startswith("text/plain")
    ide = await browser.get("/graphql", headers=HTML)
    assert ide.status_code == 503
    assert ide.text == NOT_BUILT


@pytest.mark.parametrize(
    "query", ["", "?query=%7B%20whoami%20%7B%20arn%20%7D%20%7D", "?query=x&variables=%7B%7D"]
)
async def test_the_ide_page_opens_with_any_query_string(
    browser: httpx.AsyncClient, query: str
) -> None:
    page = await browser.get(f"/graphql{query}", headers=HTML)
    assert page.status_code == 200
    assert page.text == IDE
    assert_page_headers(page)


async def test_no_ide_page_in_production(browser_services: Services) -> None:
    settings = replace(browser_services.settings, mode=Mode.PRODUCTION)
    services = replace(browser_services, settings=settings)
    async with app_client(keygraph_app(settings, services)) as http:
        page = await http.get("/graphql?query=x", headers=HTML)
        ui = await http.get("/ui/", headers=HTML)
    assert page.status_code == 401
    # The UI itself is served in production: it holds no data.
    assert ui.status_code == 200


async def test_the_graphql_json_answer_is_unchanged_for_programs(
    browser: httpx.AsyncClient,
) -> None:
    response = await browser.get("/graphql?query=x", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UnrecognizedClientException"


async def test_ui_paths_share_one_metric_label(
    browser: httpx.AsyncClient, browser_services: Services
) -> None:
    for path in ("/ui/", "/ui/a", "/ui/b/c", "/ui/assets/app.js", "/nowhere/1", "/nowhere/2"):
        await browser.get(path, headers=HTML)
    await browser.get("/", headers=HTML)
    rendered = browser_services.metrics.render().decode()
    routes = {
        line.split('route="', 1)[1].split('"', 1)[0]
        for line in rendered.splitlines()
        if line.startswith("keygraph_http_requests_total{")
    }
    assert routes == {"/ui", "/", "other"}
