import os

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from partners.models import OrganisationKind, Role

from . import factories

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """Every test makes its users and many log in: production's hasher (deliberately slow, see
    test_settings) would cost the suite more time than all its queries."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def municipality(db):
    return factories.make_municipality("Woerden", "GM0632")


@pytest.fixture
def other_municipality(db):
    return factories.make_municipality("Oudewater", "GM0589")


@pytest.fixture
def werkbedrijf(municipality):
    """The work company, serving only Woerden in these tests."""
    return factories.make_organisation("Ferm Werk", OrganisationKind.WORK_COMPANY, [municipality])


@pytest.fixture
def social_team(municipality):
    return factories.make_organisation(
        "Sociaal team Woerden", OrganisationKind.SOCIAL_TEAM, [municipality]
    )


@pytest.fixture
def consultant(werkbedrijf):
    return factories.make_user(Role.CONSULTANT, werkbedrijf, username="consulent")


@pytest.fixture
def social_team_member(social_team):
    return factories.make_user(Role.SOCIAL_TEAM, social_team, username="sociaalteam")


@pytest.fixture
def care_provider(municipality):
    return factories.make_organisation("Reinaerde", OrganisationKind.CARE_PROVIDER, [municipality])


@pytest.fixture
def provider(care_provider):
    """A staff member of a care provider, with the provider role."""
    return factories.make_user(
        Role.PROVIDER, care_provider, username="aanbieder", first_name="Pia", last_name="Kok"
    )


@pytest.fixture(autouse=True)
def force_login_enters_the_code(monkeypatch):
    """client.force_login stands for a whole login: the password and, for a user with an
    authenticator app, its code.

    It records the device in the session as django_otp.login does once the code is right, so the
    OTP and two-factor middleware still check it against the user on every request; the code
    itself is tested through the form (test_login.py, and the logged_in fixture below).
    """
    force_login = Client.force_login

    def force_login_with_code(self, user, backend=None):
        force_login(self, user, backend)
        device = user.confirmed_totp_device()
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login_with_code)


@pytest.fixture
def manager(werkbedrijf):
    """A manager, with the authenticator app managers must log in with."""
    user = factories.make_user(Role.MANAGER, werkbedrijf, username="manager")
    factories.make_totp_device(user)
    return user


@pytest.fixture
def administrator(werkbedrijf):
    """An administrator (superuser), with the authenticator app they must log in with."""
    user = factories.make_user(
        Role.ADMINISTRATOR, werkbedrijf, username="beheerder", is_staff=True, is_superuser=True
    )
    factories.make_totp_device(user)
    return user


@pytest.fixture
def client_record(municipality, consultant):
    """A resident of Woerden in the consultant's caseload (``client`` is the test client)."""
    return factories.make_client(
        municipality, consultant, first_name="Fenna", name_prefix="van", last_name="Dijk"
    )


@pytest.fixture
def client_elsewhere(other_municipality):
    """A resident of a municipality the test werkbedrijf does not serve."""
    return factories.make_client(other_municipality, first_name="Otto", last_name="Elders")


@pytest.fixture
def provision(municipality):
    return factories.make_provision(name="Dagbesteding CAB", municipality=municipality)


# Browser tests drive Debian's Chromium; Playwright's own browser download is not available.
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


# Browser tests (live server): they use restore_migrated_data and log in through the form.


@pytest.fixture(scope="session")
def migrated_data(django_db_setup, django_db_blocker):
    """What the migrations seed (roles, instruments, the chain), serialized once."""
    with django_db_blocker.unblock():
        return connection.creation.serialize_db_to_string()


@pytest.fixture
def restore_migrated_data(migrated_data, transactional_db):
    """Live-server tests commit, so each ends by emptying every table; put the seeded data back.

    serialized_rollback should, but only the first test gets it back: under Playwright the
    connection object Django holds has lost the serialized contents it keeps for this, and so
    flush also recreates the content types under new ids. Hand them back to it.
    """
    connection._test_serialized_contents = migrated_data
    connection.creation.deserialize_db_from_string(migrated_data)


@pytest.fixture
def logged_in(page, live_server):
    """Log in through the login form as the named user (password secret-test-password), and
    with the code from their authenticator app when they have one."""

    def login(username):
        page.goto(live_server.url + reverse("login"))
        page.get_by_label("Gebruikersnaam").fill(username)
        page.get_by_label("Wachtwoord").fill("secret-test-password")
        page.get_by_role("button", name="Inloggen").click()
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device:
            expect(page.get_by_role("heading", name="Code invoeren")).to_be_visible()
            page.get_by_label("Code uit uw app").fill(factories.totp_code(device))
            page.get_by_role("button", name="Bevestigen").click()
        expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
        expect(page.get_by_role("navigation", name="Hoofdnavigatie")).to_be_visible()
        return page

    return login
