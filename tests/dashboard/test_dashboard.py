"""The dashboard as a person uses it, in Debian's chromium against a served keygraph.

The scenario of issue 13 at 1280 px: sign in with the root token; create a key; add an alias and a
tag; save a policy with a fault in its second statement and see the error at that statement's
line; fix it and see on the key's access view that a second principal, ``app``, may now encrypt;
have ``app`` encrypt through the API with its own token and see the event arrive on the audit view
without a reload (the live tail); schedule the key's deletion, the confirmation naming the key,
and cancel it; sign out and be refused, in the UI and with the old cookie at the API. The
screenshots in the README (docs/screenshots/, written there by ``make screenshots``) are taken on
the way, so they show the UI as it is.

Then at 390 px the key list and a key's page fit the width (no sideways scrolling) and the
navigation is reachable; the sign-in form works from the keyboard alone; and GraphiQL on
``GET /graphql`` runs a query as the signed-in principal. Every page fails its test on an uncaught
script error or a request to any origin but keygraph's (conftest.py): nothing comes from a CDN.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Locator, Page, expect

from api.policy import default_key_policy
from tests.dashboard.conftest import ACCOUNT, NARROW, WIDE, PageOpener, User
from tests.served import Replica

pytestmark = pytest.mark.slow

# The default key policy's statement: the account's root may do everything.
ROOT_STATEMENT = json.loads(default_key_policy(ACCOUNT))["Statement"][0]
APP_STATEMENT = {
    "Sid": "AppEncrypts",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/app"},
    "Action": ["kms:Encrypt", "kms:DescribeKey"],
    "Resource": "*",
}
CREATE_KEY = """mutation($d: String!, $s: KeySpec!, $u: KeyUsageType!) {
  createKey(input: {description: $d, keySpec: $s, keyUsage: $u}) { keyMetadata { keyId } } }"""
CREATE_ALIAS = """mutation($a: String!, $k: String!) {
  createAlias(input: {aliasName: $a, targetKeyId: $k}) { keyMetadata { keyId } } }"""
ENCRYPT = """mutation($k: String!) {
  encrypt(input: {keyId: $k, plaintext: "aGVsbG8=", encryptionContext: {app: "orders"}}) {
    keyId ciphertextBlob } }"""
GENERATE_RANDOM = "mutation { generateRandom(input: {numberOfBytes: 16}) { plaintext } }"
WHOAMI = "{ whoami { arn } }"
SESSION_COOKIE = "keygraph_session"


def policy_text(*statements: dict[str, Any]) -> str:
    """A policy laid out as the editor lays one out (JSON.stringify with two spaces)."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


def line_of_statement(text: str, index: int) -> int:
    """The 1-based line where statement ``index`` of ``policy_text``'s layout opens: at the
    statements' depth, the ``{`` lines in order."""
    opening = [number for number, line in enumerate(text.splitlines(), 1) if line == "    {"]
    return opening[index]


async def gql(served: Replica, token: str, query: str, **variables: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=served.url, timeout=10) as http:
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def create_key(served: Replica, root: User, description: str, spec: str, usage: str) -> str:
    made = await gql(served, root.token, CREATE_KEY, d=description, s=spec, u=usage)
    key_id: str = made["createKey"]["keyMetadata"]["keyId"]
    return key_id


async def sign_in(page: Page, user: User) -> None:
    await page.goto("/ui/")
    await expect(page.get_by_role("heading", name="Sign in to keygraph")).to_be_visible()
    await page.get_by_label("Token").fill(user.token)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_test_id("principal")).to_have_text(user.arn)


def access_cell(page: Page, action: str) -> Locator:
    """The cell of ``action``'s row in the access matrix, filtered to one principal."""
    matrix = page.get_by_role("region", name="Access matrix")
    row = matrix.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=action, exact=True)
    )
    return row.get_by_role("cell")


async def until_the_tail_is_live(page: Page, served: Replica, root: User) -> None:
    """The live tail delivers what is appended after keygraph put its subscription in place,
    a moment after the page says it is connected. A probe (the root's GenerateRandom, which the
    scenario does nowhere else) is repeated until one arrives by the tail."""
    events = page.get_by_role("region", name="Audit events")
    probes = events.get_by_role("row").filter(has_text="kms:GenerateRandom")
    for _ in range(10):
        await gql(served, root.token, GENERATE_RANDOM)
        try:
            await expect(probes.first).to_be_visible(timeout=2_000)
        except AssertionError:
            continue
        return
    raise AssertionError("no event arrived by the live tail")


async def no_sideways_scrolling(page: Page) -> None:
    """The page's body is no wider than the window: only tables scroll, inside their region."""
    widths = await page.evaluate(
        "[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"
    )
    assert max(widths[:2]) <= widths[2], f"page {page.url}: scroll widths {widths}"


async def test_the_scenario_of_the_issue(
    served: Replica, root: User, app_user: User, open_page: PageOpener, screenshots: Path
) -> None:
    # Keys someone made before, so the key list looks like an account in use.
    for description, spec, usage in [
        ("invoices", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),
        ("release signing", "ECC_NIST_P256", "SIGN_VERIFY"),
        ("webhook MACs", "HMAC_256", "GENERATE_VERIFY_MAC"),
    ]:
        key = await create_key(served, root, description, spec, usage)
        alias = "alias/" + description.replace(" ", "-")
        await gql(served, root.token, CREATE_ALIAS, a=alias, k=key)

    page = await open_page(WIDE)
    await sign_in(page, root)

    # Create a key.
    await expect(page.get_by_role("heading", name="Keys", exact=True)).to_be_visible()
    await page.get_by_role("button", name="Create key").click()
    dialog = page.get_by_role("dialog", name="Create key")
    await dialog.get_by_label("Description").fill("orders")
    await dialog.get_by_role("button", name="Create", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/ui/keys/[0-9a-f-]{36}$"))
    key_id = page.url.rsplit("/", 1)[1]
    await expect(page.get_by_role("heading", name=f"Key {key_id}")).to_be_visible()

    # An alias and a tag.
    await page.get_by_label("Alias name").fill("alias/orders")
    await page.get_by_role("button", name="Add alias").click()
    await expect(page.get_by_role("list", name="Aliases")).to_contain_text("alias/orders")
    await expect(page.get_by_role("heading", name="Key alias/orders")).to_be_visible()
    await page.get_by_label("Tag key").fill("team")
    await page.get_by_label("Tag value").fill("payments")
    await page.get_by_role("button", name="Add tag").click()
    tags = page.get_by_role("region", name="Tags")
    await expect(tags.get_by_role("row").filter(has_text="team")).to_contain_text("payments")

    # The access view before: app may not encrypt under the default policy.
    await page.get_by_label("Principal", exact=True).select_option(app_user.arn)
    await page.get_by_label("Action", exact=True).fill("Encrypt")
    await expect(access_cell(page, "kms:Encrypt")).to_contain_text("Denied")

    # A policy whose second statement is wrong: refused, the error shown at that statement.
    wrong = policy_text(ROOT_STATEMENT, {**APP_STATEMENT, "Effect": "Permit"})
    editor = page.get_by_role("textbox", name="Key policy", exact=True)
    await editor.fill(wrong)
    await page.get_by_role("button", name="Save policy").click()
    problems = page.get_by_role("list", name="Policy problems")
    line = line_of_statement(wrong, 1)
    await expect(problems.get_by_role("button", name=f"Go to line {line}")).to_be_visible()
    await expect(problems).to_contain_text("MalformedPolicyDocumentException")
    await expect(editor).to_have_attribute("aria-invalid", "true")
    await expect(access_cell(page, "kms:Encrypt")).to_contain_text("Denied")

    # Fixed: saved, and the access view now lets app encrypt, by the key policy.
    await editor.fill(policy_text(ROOT_STATEMENT, APP_STATEMENT))
    await page.get_by_role("button", name="Save policy").click()
    await expect(page.get_by_text("Policy saved.")).to_be_visible()
    await expect(problems.get_by_role("listitem")).to_have_count(0)
    await expect(access_cell(page, "kms:Encrypt")).to_contain_text("Allowed by policy")
    await expect(access_cell(page, "kms:Encrypt")).to_contain_text('Sid "AppEncrypts"')
    await page.get_by_label("Action", exact=True).fill("crypt")
    await expect(access_cell(page, "kms:Decrypt")).to_contain_text("Denied")
    # The whole page: a key's details, and at the bottom who may use it, principals across.
    await page.get_by_label("Principal", exact=True).select_option("")
    await page.get_by_label("Principal", exact=True).blur()
    await expect(page.get_by_text("4 actions \N{MULTIPLICATION SIGN} 2 principals")).to_be_visible()
    await page.screenshot(path=screenshots / "key-details-access.png", full_page=True)

    # The key list with the new key, its alias and the others.
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Keys").click()
    await expect(page.get_by_role("link", name=key_id)).to_be_visible()
    await expect(page.get_by_text("Keys 1\N{EN DASH}4 of 4")).to_be_visible()
    await page.screenshot(path=screenshots / "key-list.png")

    # The audit view, live: app's encryption arrives without a reload.
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit").click()
    await expect(page.get_by_text("Live tail: connected")).to_be_visible()
    await page.evaluate("window.loadedBeforeTheEvent = true")
    await until_the_tail_is_live(page, served, root)
    encrypted = await gql(served, app_user.token, ENCRYPT, k="alias/orders")
    assert encrypted["encrypt"]["keyId"].endswith(key_id)
    events = page.get_by_role("region", name="Audit events")
    arrived = events.get_by_role("row").filter(has_text=app_user.arn).filter(has_text="Encrypt")
    await expect(arrived).to_have_count(1)
    await expect(arrived).to_contain_text("ok")
    assert await page.evaluate("window.loadedBeforeTheEvent === true"), "the page was reloaded"
    await page.screenshot(path=screenshots / "audit.png")

    # Schedule the deletion (the confirmation names the key) and cancel it.
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Keys").click()
    await page.get_by_role("link", name=key_id).click()
    await page.get_by_role("button", name="Schedule deletion").click()
    confirm = page.get_by_role("dialog", name="Schedule key deletion")
    await expect(confirm).to_contain_text(key_id)
    await expect(confirm).to_contain_text("alias/orders")
    schedule = confirm.get_by_role("button", name="Schedule deletion")
    await expect(schedule).to_be_disabled()
    await confirm.get_by_label("Waiting period (days)").fill("7")
    await confirm.get_by_label("Type the key ID or an alias to confirm").fill("alias/orders")
    await schedule.click()
    await expect(confirm).to_be_hidden()
    state = page.get_by_role("region", name="State and deletion")
    await expect(state).to_contain_text("PendingDeletion")
    await state.get_by_role("button", name="Cancel deletion").click()
    await expect(state).to_contain_text("Deletion cancelled; the key is disabled.")
    await expect(state.get_by_text("Disabled", exact=True)).to_be_visible()

    # Sign out: the UI is back at sign-in, and the old cookie is refused by the API.
    cookies = await page.context.cookies()
    session = next(cookie["value"] for cookie in cookies if cookie["name"] == SESSION_COOKIE)
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Sign in to keygraph")).to_be_visible()
    assert SESSION_COOKIE not in {cookie["name"] for cookie in await page.context.cookies()}
    await page.reload()
    await expect(page.get_by_role("heading", name="Sign in to keygraph")).to_be_visible()
    async with httpx.AsyncClient(base_url=served.url, timeout=10) as http:
        refused = await http.post(
            "/graphql",
            json={"query": WHOAMI},
            headers={"X-Keygraph-CSRF": "1", "Cookie": f"{SESSION_COOKIE}={session}"},
        )
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UnrecognizedClientException"


async def test_a_phone_width_shows_the_key_list_and_a_key_without_sideways_scrolling(
    served: Replica, root: User, open_page: PageOpener
) -> None:
    key_id = await create_key(served, root, "a key seen on a phone", "RSA_2048", "SIGN_VERIFY")
    await gql(served, root.token, CREATE_ALIAS, a="alias/on-a-phone", k=key_id)
    page = await open_page(NARROW)
    await sign_in(page, root)

    await expect(page.get_by_role("link", name=key_id)).to_be_visible()
    await no_sideways_scrolling(page)

    await page.get_by_role("link", name=key_id).click()
    await expect(page.get_by_role("heading", name="Key alias/on-a-phone")).to_be_visible()
    await expect(page.get_by_role("heading", name="Access", exact=True)).to_be_attached()
    await expect(page.get_by_role("region", name="Access matrix")).to_be_attached()
    await no_sideways_scrolling(page)

    # Every page of the navigation can be reached from here, and the key list again.
    navigation = page.get_by_role("navigation", name="Main")
    for name, heading in [
        ("Access", "Access"),
        ("Catalog", "Catalog"),
        ("Audit", "Audit"),
        ("Playground", "Crypto playground"),
        ("Keys", "Keys"),
    ]:
        link = navigation.get_by_role("link", name=name, exact=True)
        await link.scroll_into_view_if_needed()
        await expect(link).to_be_in_viewport()
        await link.click()
        await expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        await no_sideways_scrolling(page)


async def test_the_sign_in_form_works_from_the_keyboard(
    served: Replica, root: User, open_page: PageOpener
) -> None:
    page = await open_page(WIDE)
    await page.goto("/ui/")
    token = page.get_by_label("Token")
    await expect(token).to_be_visible()
    # The first Tab reaches the skip link, the next the token field.
    for _ in range(3):
        await page.keyboard.press("Tab")
        if await token.evaluate("field => field === document.activeElement"):
            break
    await expect(token).to_be_focused()

    await page.keyboard.type("kg_not-a-token")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("alert")).to_contain_text("UnrecognizedClientException")

    await token.fill("")
    await token.focus()
    await page.keyboard.type(root.token)
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("principal")).to_have_text(root.arn)


async def test_graphiql_runs_as_the_signed_in_principal_and_keeps_nothing(
    served: Replica, root: User, open_page: PageOpener
) -> None:
    """The IDE on ``GET /graphql`` comes from keygraph (offline too), opens whatever query string
    its address carries, calls the API with the browser session, and stores no token."""
    page = await open_page(WIDE)
    await sign_in(page, root)
    await page.goto("/graphql?query=%7B%20whoami%20%7B%20arn%20%7D%20%7D")
    # GraphiQL's own layout: its editors are the regions it marks with these classes.
    await expect(page.locator(".graphiql-query-editor")).to_contain_text("whoami")
    await page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    response = page.locator(".graphiql-response")
    await expect(response.get_by_text(f'"{root.arn}"')).to_be_visible()
    stored = await page.evaluate(
        "[localStorage, sessionStorage].flatMap(s => Object.keys(s).map(k => s.getItem(k)))"
    )
    assert not any(root.token in value for value in stored)
