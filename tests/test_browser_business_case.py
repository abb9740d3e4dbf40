"""The business case and the tariffs in Chromium: a manager records a new figure and the
comparison uses it; the pages have no serious accessibility violations."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from . import factories
from .test_browser import serious_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migrated_data"),
]


def test_a_manager_records_a_new_wmo_tariff_and_the_business_case_uses_it(
    logged_in, live_server, manager
):
    page = logged_in("manager")
    page.goto(live_server.url + reverse("provisions:tariffs"))
    page.get_by_role("link", name=re.compile(r"Nieuw bedrag\s*: Wmo-dagbesteding, midden")).click()
    page.get_by_label("Bedrag (EUR)").fill("50,00")
    page.get_by_label("Geldig vanaf").fill("2026-01-01")
    page.get_by_role("button", name="Bedrag vastleggen").click()
    # Nothing typed is lost: the source is still missing, said beside the field.
    expect(page.get_by_text("Dit veld is verplicht.").first).to_be_visible()
    expect(page.get_by_label("Bedrag (EUR)")).to_have_value("50,00")
    page.get_by_label("Bron").fill("Tarieflijst Woerden 2026")
    page.get_by_role("button", name="Bedrag vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text("geldt vanaf 01-01-2026")
    page.goto(live_server.url + reverse("trajectories:group_business_case"))
    table = page.get_by_role("table", name="Kosten per inwoner per jaar per financier")
    # 50.00 a day part x 4 x 46 = 9,200 a year from the Wmo budget.
    expect(table.get_by_role("row", name="Gemeente: Wmo-budget")).to_contain_text("€ 9.200")
    page.get_by_label("Tarieven geldig op").fill("2025-12-31")
    page.get_by_role("button", name="Vergelijken").click()
    expect(page).to_have_url(re.compile(r"peildatum=2025-12-31"))
    # 46.15 x 184 = 8,491.60: the figure in force until the new one.
    expect(table.get_by_role("row", name="Gemeente: Wmo-budget")).to_contain_text("€ 8.492")


def test_the_business_case_pages_have_no_serious_accessibility_violations(
    logged_in, live_server, manager, consultant, client_record, provision
):
    factories.make_full_cycle(client_record, provision)
    found = {}
    for username, urls in [
        (
            "manager",
            [
                reverse("trajectories:group_business_case"),
                reverse("trajectories:group_business_case") + "?horizon=0",
                reverse("provisions:tariffs"),
                reverse("provisions:tariff_new", args=["benefit"]),
            ],
        ),
        (consultant.username, [reverse("trajectories:business_case", args=[client_record.pk])]),
    ]:
        page = logged_in(username)
        for url in urls:
            page.goto(live_server.url + url)
            if violations := serious_violations(page):
                found[url] = violations
        page.get_by_role("button", name="Uitloggen").click()
    assert found == {}
