"""Accounts and the app shell, as a person meets them in Chromium, against the production build.

The tests run in file order and share one server per backend: the first registers the admin.
"""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from seen.components.shell import ADMIN_ITEM, NAV_SECTIONS, SETTINGS_ITEM
from tests.e2e.conftest import PHONE_WIDTH, PageErrors, RunningApp, page_width, save_screenshot
from tests.waiting import wait_until

pytestmark = pytest.mark.e2e

ADMIN = ("Ada Admin", "ada@example.com", "correct horse 1")
MEMBER = ("Bob Member", "bob@example.com", "battery staple 2")
APP_ROUTES = [item for _, items in NAV_SECTIONS for item in items] + [SETTINGS_ITEM, ADMIN_ITEM]


def _path(page: Page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def register(page: Page, app: RunningApp, name: str, email: str, password: str) -> None:
    page.goto(app.url("/register"))
    page.fill("#field-display_name", name)
    page.fill("#field-email", email)
    page.fill("#field-password", password)
    page.click("button[type=submit]")


def login(page: Page, app: RunningApp, email: str, password: str, next_path: str = "") -> None:
    page.goto(app.url(f"/login{'?next=' + next_path if next_path else ''}"))
    page.fill("#field-email", email)
    page.fill("#field-password", password)
    page.click("button[type=submit]")


def logout(page: Page) -> None:
    page.get_by_label("Profile menu").click()
    page.get_by_role("menuitem", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login/?\?signed_out=1"))


def expect_heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", name=text, exact=True).first).to_be_visible()


def test_first_account_registers_as_admin(browser: Browser, running_app: RunningApp, context: BrowserContext):
    page = context.new_page()
    errors = PageErrors(page)
    # Given a server with no accounts, the register page says this account will administer it
    page.goto(running_app.url("/register"))
    expect(page.get_by_text("this account will administer the server")).to_be_visible()
    save_screenshot(page, "register.png")
    # When the first person registers
    register(page, running_app, *ADMIN)
    # Then they land on the dashboard, greeted by name, with the Admin entry in the sidebar
    expect(page).to_have_url(re.compile(r"/app/dashboard/?$"))
    expect_heading(page, f"Hello, {ADMIN[0]}")
    expect(page.locator("nav").get_by_role("link", name="Admin")).to_be_visible()
    save_screenshot(page, "dashboard.png")
    assert errors.take() == []


def test_logout_then_login_again(running_app: RunningApp, context: BrowserContext):
    page = context.new_page()
    login(page, running_app, ADMIN[1], ADMIN[2])
    expect_heading(page, f"Hello, {ADMIN[0]}")
    # When the user signs out from the profile menu
    logout(page)
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    save_screenshot(page, "login.png")
    # Then app pages send them to the login page, remembering where they were going
    page.goto(running_app.url("/app/watched"))
    expect(page).to_have_url(re.compile(r"/login/?\?next=%2Fapp%2Fwatched"))
    # And logging in takes them there
    page.fill("#field-email", ADMIN[1])
    page.fill("#field-password", ADMIN[2])
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/app/watched/?$"))
    expect_heading(page, "Watched")


def test_every_app_route_opens_without_errors(running_app: RunningApp, context: BrowserContext):
    page = context.new_page()
    errors = PageErrors(page)
    login(page, running_app, ADMIN[1], ADMIN[2])
    expect_heading(page, f"Hello, {ADMIN[0]}")
    for item in APP_ROUTES:
        # When each route is opened from the sidebar (client-side navigation)
        page.locator("nav.seen-sidebar").get_by_role("link", name=item.label, exact=True).click()
        # Then its page renders under its own heading, with no script errors
        expect(page).to_have_url(re.compile(rf"{item.href}/?$"))
        expected = f"Hello, {ADMIN[0]}" if item.href == "/app/dashboard" else item.label
        expect_heading(page, expected)
        assert errors.take() == [], item.href
    for item in APP_ROUTES:
        # And each also opens directly by URL (a full page load)
        page.goto(running_app.url(item.href))
        expect(page.locator("main")).to_be_visible()
        expect(page).to_have_url(re.compile(rf"{item.href}/?$"))
        assert errors.take() == [], item.href
    page.goto(running_app.url("/app/settings"))
    expect_heading(page, "Sessions")
    save_screenshot(page, "settings.png")


def test_admin_creates_a_user_and_closes_registration(running_app: RunningApp, context: BrowserContext):
    page = context.new_page()
    login(page, running_app, ADMIN[1], ADMIN[2], "/app/admin")
    expect_heading(page, "Admin")
    # When the admin adds a user through the dialog
    page.get_by_role("button", name="Add user").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_placeholder("Name").fill(MEMBER[0])
    dialog.get_by_placeholder("Email").fill(MEMBER[1])
    dialog.get_by_placeholder("Temporary password").fill(MEMBER[2])
    dialog.get_by_role("button", name="Create account").click()
    # Then the account is listed as a plain user
    expect(page.get_by_text(f"Account created for {MEMBER[1]}")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=MEMBER[1])).to_be_visible()
    # When registration is switched off
    switch = page.get_by_role("switch", name="Open registration")
    expect(switch).to_be_checked()
    switch.click()
    expect(page.get_by_text("Registration is closed.")).to_be_visible()
    expect(switch).not_to_be_checked()
    if running_app.name == "embedded":
        # The in-process scheduler ran the session purge at start, and the admin page shows it
        expect(page.get_by_role("row").filter(has_text="sessions.purge_expired")).to_contain_text("ok")
    # Then the register page says so, and the API refuses sign-ups
    other = context.browser.new_context()
    visitor = other.new_page()
    visitor.goto(running_app.url("/register"))
    expect(visitor.get_by_text("Registration is closed. Ask an admin for an account.")).to_be_visible()
    refused = httpx.post(
        running_app.url("/api/v1/auth/register"), json={"email": "eve@example.com", "password": "whatever123"}
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "registration_closed"
    other.close()
    # And switching it back on opens it again
    page.get_by_role("switch", name="Open registration").click()
    expect(page.get_by_text("Registration is open.")).to_be_visible()
    expect(switch).to_be_checked()
    save_screenshot(page, "admin.png")


def test_a_member_is_refused_the_admin_page(running_app: RunningApp, context: BrowserContext):
    page = context.new_page()
    login(page, running_app, MEMBER[1], MEMBER[2])
    expect_heading(page, f"Hello, {MEMBER[0]}")
    # The sidebar offers no Admin entry to a member
    expect(page.locator("nav.seen-sidebar").get_by_role("link", name="Admin")).to_have_count(0)
    # And opening the page directly shows a clear 403
    page.goto(running_app.url("/app/admin"))
    expect(page.get_by_text("403 · Admins only")).to_be_visible()
    expect(page.get_by_role("heading", name="Users")).to_have_count(0)
    save_screenshot(page, "forbidden.png")


def test_wrong_password_shows_a_message(running_app: RunningApp, context: BrowserContext):
    page = context.new_page()
    login(page, running_app, MEMBER[1], "not my password")
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    expect(page).to_have_url(re.compile(r"/login"))


def test_repeated_failures_are_throttled(running_app: RunningApp, context: BrowserContext):
    # Given an account (the server allows 3 failures per account in a window)
    created = httpx.post(
        running_app.url("/api/v1/auth/register"), json={"email": "carol@example.com", "password": "carol-password"}
    )
    assert created.status_code == 201
    page = context.new_page()
    for _ in range(3):
        login(page, running_app, "carol@example.com", "guess")
        expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    # When one more attempt comes, even with the right password
    login(page, running_app, "carol@example.com", "carol-password")
    # Then the page says to wait, and the API answers 429 with Retry-After
    expect(page.get_by_role("alert")).to_contain_text("Too many failed logins. Try again in")
    api = httpx.post(
        running_app.url("/api/v1/auth/login"), json={"email": "carol@example.com", "password": "carol-password"}
    )
    assert api.status_code == 429
    assert int(api.headers["retry-after"]) > 0


def test_theme_is_kept_after_reload_and_follows_the_account(
    browser: Browser, running_app: RunningApp, context: BrowserContext
):
    page = context.new_page()
    login(page, running_app, MEMBER[1], MEMBER[2], "/app/settings")
    expect_heading(page, "Appearance")
    html = page.locator("html")
    expect(html).to_have_class(re.compile(r"\bdark\b"))
    # When the member switches to the light theme
    page.get_by_test_id("theme-light").click()
    expect(html).to_have_class(re.compile(r"\blight\b"))
    # (the account keeps it once the server has saved it and set the cookie the first paint reads)
    wait_until(
        lambda: any(c["name"] == "seen_theme" and c["value"] == "light" for c in context.cookies()),
        what="the theme saved on the account",
    )
    # Then a reload keeps it, from the very first paint
    page.reload()
    expect(html).to_have_class(re.compile(r"\blight\b"))
    expect_heading(page, "Appearance")
    page.goto(running_app.url("/app/dashboard"))
    expect_heading(page, f"Hello, {MEMBER[0]}")
    save_screenshot(page, "dashboard-light.png")
    # And another browser gets it at login, because the account keeps it
    fresh = browser.new_context()
    other = fresh.new_page()
    login(other, running_app, MEMBER[1], MEMBER[2])
    expect_heading(other, f"Hello, {MEMBER[0]}")
    expect(other.locator("html")).to_have_class(re.compile(r"\blight\b"))
    fresh.close()
    page.goto(running_app.url("/app/settings"))
    page.get_by_test_id("theme-dark").click()
    expect(html).to_have_class(re.compile(r"\bdark\b"))


def test_profile_and_password_are_changed_in_settings(running_app: RunningApp, context: BrowserContext):
    page = context.new_page()
    login(page, running_app, MEMBER[1], MEMBER[2], "/app/settings")
    expect_heading(page, "Profile")
    # When the member renames themselves
    name = page.locator("input[name=display_name]")
    name.fill("Bobby Member")
    page.get_by_role("button", name="Save profile").click()
    # Then it is saved and the dashboard greets the new name
    expect(page.get_by_text("Profile saved.")).to_be_visible()
    page.locator("nav.seen-sidebar").get_by_role("link", name="Dashboard", exact=True).click()
    expect_heading(page, "Hello, Bobby Member")
    page.goto(running_app.url("/app/settings"))
    # A mismatched repeat is refused before anything changes
    page.locator("input[name=current_password]").fill(MEMBER[2])
    page.locator("input[name=new_password]").fill("a brand new secret")
    page.locator("input[name=confirm_password]").fill("a different secret")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("The new passwords do not match.")).to_be_visible()
    # A wrong current password is refused with a message
    page.locator("input[name=current_password]").fill("not the password")
    page.locator("input[name=new_password]").fill("a brand new secret")
    page.locator("input[name=confirm_password]").fill("a brand new secret")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("The current password is wrong.")).to_be_visible()
    # The right one changes it, and the old password no longer logs in
    page.locator("input[name=current_password]").fill(MEMBER[2])
    page.locator("input[name=new_password]").fill("a brand new secret")
    page.locator("input[name=confirm_password]").fill("a brand new secret")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text(re.compile(r"Password changed\. \d+ other sessions? signed out\."))).to_be_visible()
    old = httpx.post(running_app.url("/api/v1/auth/login"), json={"email": MEMBER[1], "password": MEMBER[2]})
    assert old.status_code == 401
    new = httpx.post(running_app.url("/api/v1/auth/login"), json={"email": MEMBER[1], "password": "a brand new secret"})
    assert new.status_code == 200
    # Put things back for the tests that follow
    page.locator("input[name=current_password]").fill("a brand new secret")
    page.locator("input[name=new_password]").fill(MEMBER[2])
    page.locator("input[name=confirm_password]").fill(MEMBER[2])
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text(re.compile(r"Password changed"))).to_be_visible()
    name.fill(MEMBER[0])
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Profile saved.")).to_be_visible()


def test_a_revoked_session_is_logged_out(phone: BrowserContext, running_app: RunningApp, context: BrowserContext):
    # Given the member signed in on two browsers, a laptop and a phone
    laptop = context.new_page()
    login(laptop, running_app, MEMBER[1], MEMBER[2])
    expect_heading(laptop, f"Hello, {MEMBER[0]}")
    on_phone = phone.new_page()
    login(on_phone, running_app, MEMBER[1], MEMBER[2], "/app/settings")
    expect_heading(on_phone, "Sessions")
    # When the phone signs out every other session
    on_phone.get_by_role("button", name="Sign out all other sessions").click()
    expect(on_phone.get_by_text(re.compile(r"\d+ other sessions? signed out"))).to_be_visible()
    # Then the laptop's next move lands on the login page
    laptop.locator("nav.seen-sidebar").get_by_role("link", name="Watched", exact=True).click()
    expect(laptop).to_have_url(re.compile(r"/login/?\?next="))


def test_the_shell_fits_a_phone(phone: BrowserContext, running_app: RunningApp):
    page = phone.new_page()
    login(page, running_app, ADMIN[1], ADMIN[2])
    expect_heading(page, f"Hello, {ADMIN[0]}")
    # Nothing is wider than the screen
    assert page_width(page) <= PHONE_WIDTH
    save_screenshot(page, "dashboard-phone.png")
    # And the navigation opens from the menu button
    page.get_by_label("Open navigation").click()
    page.get_by_role("dialog").get_by_role("link", name="Settings", exact=True).click()
    expect(page).to_have_url(re.compile(r"/app/settings/?$"))
