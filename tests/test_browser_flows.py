"""The flows along the chain in Chromium: a manager filters the period, reads the picture and
its table, follows a number to the residents behind it and comes back; both pages have no
serious accessibility violations, on a wide and a narrow screen."""

import re
from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from trajectories.models import Blocker, Placement

from . import factories
from .test_browser import serious_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migrated_data"),
]


@pytest.fixture
def moved(municipality, consultant):
    """Two residents came into day activities; one moved on to volunteering past a blocker."""
    day = factories.make_provision(chain_step=2, name="Dagbesteding De Linde")
    volunteering = factories.make_provision(chain_step=3, name="Vrijwilligerswerk Kwintes")
    people = []
    for first_name in ("Anna", "Bram"):
        resident = factories.make_client(municipality, consultant, first_name=first_name)
        factories.make_plan_ready(resident)
        placement = Placement.propose(resident, day, date(2026, 2, 2))
        placement.accept(date(2026, 2, 2), "Telefonisch")
        placement.activate(date(2026, 2, 2))
        people.append(placement)
    people[0].move_to(
        volunteering, date(2026, 5, 4), "Toe aan meer", [Blocker.objects.order_by("name")[0]]
    )
    return people


def test_a_manager_follows_a_flow_to_its_residents_and_back(logged_in, live_server, manager, moved):
    page = logged_in("manager")
    page.goto(live_server.url + reverse("provisions:list"))
    page.get_by_role("link", name="Stromen in de keten").click()
    page.get_by_label("Van", exact=True).fill("2026-01-01")
    page.get_by_label("Tot en met").fill("2026-11-30")
    page.get_by_role("button", name="Tonen").click()
    expect(page).to_have_url(re.compile(r"start=2026-01-01"))
    expect(page.get_by_role("img", name=re.compile("Stappen tussen treden"))).to_be_visible()
    matrix = page.get_by_role("table", name=re.compile("Inwoners per stap"))
    row = matrix.get_by_role("row", name=re.compile("^Ingestroomd"))
    row.get_by_role("link", name="2").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Van Ingestroomd naar")
    expect(page.get_by_role("link", name=re.compile("Anna"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Bram"))).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"start=2026-01-01"))
    blockers = page.get_by_role("table", name=re.compile("knelpunten"))
    blockers.get_by_role("link", name="1").click()
    expect(page.get_by_role("link", name=re.compile("Anna"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Bram"))).to_have_count(0)
    page.get_by_role("link", name="Stromen in de keten").click()
    expect(page).to_have_url(re.compile(r"stromen/\?start=2026-01-01&end=2026-11-30"))


def test_a_bad_period_is_said_next_to_the_field(logged_in, live_server, manager, moved):
    page = logged_in("manager")
    page.goto(live_server.url + reverse("trajectories:flows"))
    page.get_by_label("Van", exact=True).fill("2026-06-01")
    page.get_by_label("Tot en met").fill("2026-03-01")
    page.get_by_role("button", name="Tonen").click()
    expect(page.get_by_text("Het einde van de periode ligt voor het begin.")).to_be_visible()
    expect(page.get_by_label("Van", exact=True)).to_have_value("2026-06-01")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_flow_pages_have_no_serious_accessibility_violations(
    logged_in, live_server, manager, moved, width
):
    page = logged_in("manager")
    page.set_viewport_size({"width": width, "height": 900})
    found = {}
    query = "?start=2026-01-01&end=2026-11-30"
    for url in [
        reverse("trajectories:flows") + query,
        reverse("trajectories:flow_residents") + query + "&van=in",
    ]:
        assert page.goto(live_server.url + url).status == 200
        if violations := serious_violations(page):
            found[url] = violations
        # Nothing wider than the screen but the tables, which scroll in their own box.
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, url
    assert found == {}
