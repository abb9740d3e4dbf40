import os

import pytest
from django.db import connection
from django.urls import reverse
from playwright.sync_api import expect

from partners.models import OrganisationKind, Role

from . import factories

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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
def manager(werkbedrijf):
    return factories.make_user(Role.MANAGER, werkbedrijf, username="manager")


@pytest.fixture
def administrator(werkbedrijf):
    return factories.make_user(
        Role.ADMINISTRATOR, werkbedrijf, username="beheerder", is_staff=True, is_superuser=True
    )


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
    """Log in through the login form as the named user (password secret-test-password)."""

    def login(username):
        page.goto(live_server.url + reverse("login"))
        page.get_by_label("Gebruikersnaam").fill(username)
        page.get_by_label("Wachtwoord").fill("secret-test-password")
        page.get_by_role("button", name="Inloggen").click()
        expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
        return page

    return login
