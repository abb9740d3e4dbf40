"""What only a browser shows: logging in, opening a case, search as you type, accessibility."""

import re
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from partners.models import Role
from trajectories.models import Placement

from . import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migrated_data"),
]

SERIOUS = {"serious", "critical"}


def serious_violations(page):
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]


def test_a_consultant_logs_in_and_opens_a_client(logged_in, consultant, client_record):
    factories.make_full_cycle(client_record)
    page = logged_in("consulent")
    expect(page).to_have_url(re.compile(reverse("trajectories:mine") + "$"))
    page.get_by_role("link", name="Dijk, Fenna van").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fenna van Dijk")
    expect(page.locator(".own-words").get_by_text("Mijn kinderen")).to_be_visible()
    expect(page.locator("[aria-current=step]")).to_have_text(re.compile("Herbeoordeling"))


def test_search_as_you_type_updates_the_list_and_the_url(logged_in, consultant, municipality):
    factories.make_client(municipality, consultant, first_name="Fenna", last_name="Dijk")
    factories.make_client(municipality, consultant, first_name="Karel", last_name="Bos")
    page = logged_in("consulent")
    page.goto(page.url.replace(reverse("trajectories:mine"), reverse("trajectories:list")))
    page.get_by_label("Zoek op naam, BSN of geboortedatum (dd-mm-jjjj)").press_sequentially("bos")
    expect(page.get_by_role("link", name="Bos, Karel")).to_be_visible()
    expect(page.get_by_role("link", name="Dijk, Fenna")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"\?q=bos$"))
    page.reload()  # the URL keeps the search
    expect(page.get_by_role("link", name="Dijk, Fenna")).to_have_count(0)


def test_the_login_page_has_no_serious_accessibility_violations(page, live_server, db):
    page.goto(live_server.url + reverse("login"))
    assert serious_violations(page) == []


def test_a_manager_sets_up_an_authenticator_app_and_logs_in_with_its_code(
    page, live_server, werkbedrijf
):
    manager = factories.make_user(Role.MANAGER, werkbedrijf, username="chef")
    page.goto(live_server.url + reverse("reports"))
    page.get_by_label("Gebruikersnaam").fill("chef")
    page.get_by_label("Wachtwoord").fill("secret-test-password")
    page.get_by_role("button", name="Inloggen").click()

    expect(page.get_by_role("heading", name="Tweestapsverificatie")).to_be_visible()
    qr_code = page.get_by_role("img", name="QR-code om te scannen met uw authenticator-app")
    expect(qr_code).to_be_visible()
    assert qr_code.evaluate("image => image.naturalWidth") > 0, "the QR code is drawn"
    expect(page.get_by_role("navigation", name="Hoofdnavigatie")).to_have_count(0)
    assert serious_violations(page) == []
    # The phone's app computes the code from the key in the QR code; so does the test.
    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    page.get_by_label("Code uit uw app").fill(factories.totp_code(device))
    page.get_by_role("button", name="Aanzetten").click()
    expect(page.get_by_text("Tweestapsverificatie staat aan.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportages")

    page.get_by_role("button", name="Uitloggen").click()
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Gebruikersnaam").fill("chef")
    page.get_by_label("Wachtwoord").fill("secret-test-password")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Code invoeren")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Code uit uw app").fill(factories.totp_code(device))
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("navigation", name="Hoofdnavigatie")).to_be_visible()
    expect(page.get_by_role("link", name="Rapportages")).to_be_visible()


def test_every_page_has_no_serious_accessibility_violations(
    logged_in, live_server, manager, client_record, provision
):
    factories.make_full_cycle(client_record, provision)
    page = logged_in("manager")
    urls = [
        reverse("trajectories:mine"),
        reverse("trajectories:list"),
        reverse("trajectories:list") + "?q=zzz",
        client_record.get_absolute_url(),
        reverse("provisions:list"),
        reverse("provisions:system_map"),
        reverse("provisions:work_learning_lines"),
        reverse("provisions:tariffs"),
        provision.get_absolute_url(),
        reverse("partners:list"),
        reverse("partners:covenant"),
        provision.provider.get_absolute_url(),
        reverse("reports"),
        reverse("access_log"),
        reverse("access_log") + "?action=break_glass",
        reverse("two_factor_setup"),
    ]
    found = {}
    for url in urls:
        page.goto(live_server.url + url)
        violations = serious_violations(page)
        if violations:
            found[url] = violations
    assert found == {}


def test_every_page_a_consultant_works_in_has_no_serious_accessibility_violations(
    logged_in, live_server, consultant, client_record, provision
):
    placement = factories.make_full_cycle(client_record, provision)
    page = logged_in(consultant.username)
    case = [client_record.pk]
    urls = [reverse("trajectories:register"), reverse("trajectories:mine") + "?stage=reevaluation"]
    urls += [
        reverse(f"trajectories:{step}", args=case)
        for step in ["intake", "diagnosis", "goal", "action", "propose", "reevaluation", "note"]
    ]
    urls += [
        reverse(f"trajectories:{step}", args=[*case, placement.pk])
        for step in ["accept", "start", "offer", "end", "transition"]
    ]
    urls.append(reverse("trajectories:timeline", args=case))
    urls.append(reverse("trajectories:line_step", args=case))
    found = {}
    for url in urls:
        page.goto(live_server.url + url)
        violations = serious_violations(page)
        if violations:
            found[url] = violations
    assert found == {}


def test_every_page_a_provider_works_in_has_no_serious_accessibility_violations(
    logged_in, live_server, provider, care_provider, client_record
):
    day_care = factories.make_provision(
        provider=care_provider, municipality=client_record.municipality
    )
    factories.make_plan_ready(client_record)
    proposal = Placement.propose(client_record, day_care, date.today())
    page = logged_in(provider.username)
    urls = [reverse("trajectories:provider_inbox")]
    urls += [
        reverse(f"trajectories:{name}", args=[proposal.pk])
        for name in ["provider_placement", "provider_accept", "provider_decline"]
    ]
    urls.append(reverse("trajectories:provider_capacity", args=[day_care.pk]))
    found = {}
    for url in urls:
        page.goto(live_server.url + url)
        violations = serious_violations(page)
        if violations:
            found[url] = violations
    assert found == {}


def test_the_attention_filter_reads_on_one_line(logged_in, consultant, client_record):
    page = logged_in(consultant.username)
    label = page.locator("label", has_text="Alleen te laat, vastgelopen of plek vrij")
    box = label.bounding_box()
    # One line is many times wider than high; squeezed into the box's column it stands upright.
    assert box["width"] > 4 * box["height"], box


def test_back_on_the_chain_page_shows_the_filters_of_that_page(
    logged_in, live_server, consultant, municipality, provision
):
    """The browser restores form fields on "back"; they must match the list shown."""
    page = logged_in("consulent")
    page.goto(live_server.url + reverse("provisions:list"))
    page.get_by_label("Vorm van participatie").select_option(label="Maatschappelijke participatie")
    page.get_by_role("button", name="Filteren").click()
    expect(page).to_have_url(re.compile(r"vorm=societal"))
    page.get_by_label("Gemeente").select_option(label=municipality.name)
    page.get_by_role("button", name="Filteren").click()
    expect(page).to_have_url(re.compile(rf"gemeente={municipality.pk}"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"gemeente=&"))
    expect(page.get_by_label("Gemeente")).to_have_value("")
    expect(page.get_by_label("Vorm van participatie")).to_have_value("societal")
    expect(page.get_by_role("link", name="Dagbesteding CAB")).to_be_visible()
    assert serious_violations(page) == []
