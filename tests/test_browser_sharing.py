"""Sharing in a browser: the consultant shares a case from the case page (HTMX), the social
team finds it, reads the shared parts and adds a case conference; a colleague breaks the
glass; the manager reads the access log. Each page is checked with axe."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clients.models import AccessLog, Share
from partners.models import Role

from . import factories
from .test_browser import serious_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migrated_data"),
]


def test_a_consultant_shares_and_the_social_team_works_in_the_shared_case(
    logged_in, live_server, consultant, social_team_member, social_team, client_record
):
    factories.make_full_cycle(client_record)
    page = logged_in("consulent")
    page.goto(live_server.url + client_record.get_absolute_url())
    page.get_by_role("link", name="Casus delen").click()
    form = page.locator("#step-form")
    expect(form.get_by_label("Gedeeld met")).to_be_visible()
    expect(page).to_have_url(re.compile(reverse("trajectories:share", args=[client_record.pk])))
    assert serious_violations(page) == []
    form.get_by_label("Gedeeld met").select_option(label="Sociaal team Woerden")
    form.get_by_label("Toestemming van de inwoner").check()
    form.get_by_label("Doel", exact=True).fill("Afstemmen van de begeleiding thuis.")
    form.get_by_label("Plan van aanpak").check()
    # Forgotten: how and when consent was given. The form says so and keeps the rest.
    form.get_by_role("button", name="Opslaan").click()
    expect(form.get_by_text("Geef aan hoe de inwoner toestemming gaf.").first).to_be_visible()
    expect(form.get_by_label("Doel", exact=True)).to_have_value(
        "Afstemmen van de begeleiding thuis."
    )
    assert serious_violations(page) == []
    form.get_by_label("Toestemming gegeven", exact=True).select_option(label="Digitaal")
    form.get_by_label("Toestemming gegeven op").fill(date.today().isoformat())
    form.get_by_label("Samenvatting: persoonsgegevens, fase en eigen woorden").check()
    form.get_by_role("button", name="Opslaan").click()
    shares = page.locator("section", has=page.get_by_role("heading", name="Gedeeld met"))
    expect(shares.get_by_text("Sociaal team Woerden", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(client_record.get_absolute_url() + "$"))
    assert Share.objects.get().parts == ["summary", "plan"]

    # The social team member: their list, the case with the shared parts only.
    page.get_by_role("button", name="Uitloggen").click()
    page = logged_in("sociaalteam")
    expect(page).to_have_url(re.compile(reverse("trajectories:shared") + "$"))
    assert serious_violations(page) == []
    page.get_by_role("link", name="Dijk, Fenna van").click()
    expect(page.get_by_role("heading", name="Plan van aanpak", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Plaatsingen")).to_have_count(0)
    expect(page.get_by_text(client_record.masked_bsn)).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Notitie of casusoverleg toevoegen").click()
    form = page.locator("#step-form")
    form.get_by_label("Soort").select_option(label="Casusoverleg")
    form.get_by_label("Tekst").fill("Afspraken over begeleiding thuis.")
    form.get_by_label("Deelnemers").fill("Sanne (sociaal team), Fenna, klantmanager")
    assert serious_violations(page) == []
    form.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De notitie is opgeslagen.")).to_be_visible()
    expect(page.locator("#events").get_by_text("Afspraken over begeleiding thuis.")).to_be_visible()

    # The consultant sees the conference, and who looked at the file.
    page.get_by_role("button", name="Uitloggen").click()
    page = logged_in("consulent")
    page.goto(live_server.url + client_record.get_absolute_url())
    expect(page.locator("#events").get_by_text("Afspraken over begeleiding thuis.")).to_be_visible()
    page.get_by_text("De laatste keren bekeken, gezocht en geëxporteerd").click()
    expect(page.locator(".viewed-by").get_by_text("Sociaal team Woerden").first).to_be_visible()


def test_a_social_team_member_refers_a_resident(logged_in, live_server, social_team_member):
    page = logged_in("sociaalteam")
    page.get_by_role("link", name="Inwoner aanmelden bij het werkbedrijf").click()
    assert serious_violations(page) == []
    page.get_by_label("Voornaam").fill("Ali")
    page.get_by_label("Achternaam").fill("Yilmaz")
    page.get_by_label("Geboortedatum").fill("1990-04-02")
    page.get_by_label("BSN").fill("111222333")
    page.get_by_label("Gemeente").select_option(label="Woerden")
    page.get_by_label("De vraag aan het werkbedrijf").fill("Wil graag aan het werk.")
    page.get_by_label("Toestemming gegeven", exact=True).select_option(
        label="Mondeling, vastgelegd in het dossier"
    )
    page.get_by_role("button", name="Aanmelding versturen").click()
    # Without the consent box ticked nothing is sent, and nothing typed is lost.
    expect(page.get_by_label("De vraag aan het werkbedrijf")).to_have_value(
        "Wil graag aan het werk."
    )
    assert serious_violations(page) == []
    page.get_by_label("De inwoner stemt in met deze aanmelding").check()
    page.get_by_role("button", name="Aanmelding versturen").click()
    expect(
        page.get_by_text("De aanmelding van Ali Yilmaz is verstuurd naar het werkbedrijf.")
    ).to_be_visible()
    expect(page.get_by_text(re.compile("Ali Yilmaz, aangemeld op"))).to_be_visible()


def test_a_colleague_breaks_the_glass_and_the_manager_reads_it(
    logged_in, live_server, consultant, manager, werkbedrijf, client_record
):
    factories.make_user(Role.CONSULTANT, werkbedrijf, username="collega")
    page = logged_in("collega")
    page.goto(live_server.url + reverse("trajectories:list"))
    page.get_by_role("link", name="Dijk, Fenna van").click()
    expect(page.get_by_role("heading", name="Waarom opent u dit dossier?")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Reden om dit dossier te openen").fill("Vervanging van Karin tijdens verlof.")
    page.get_by_role("button", name="Dossier openen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fenna van Dijk")
    page.go_back()
    page.go_forward()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fenna van Dijk")
    assert AccessLog.objects.filter(action=AccessLog.Action.BREAK_GLASS).count() == 1

    page.get_by_role("button", name="Uitloggen").click()
    page = logged_in("manager")
    page.get_by_role("link", name="Toegangslog").click()
    page.get_by_label("Wat").select_option(label="Geopend buiten eigen caseload")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_text("Vervanging van Karin tijdens verlof.")).to_be_visible()
    expect(page).to_have_url(re.compile("action=break_glass"))
    assert serious_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporteren als CSV").click()
    assert "Vervanging van Karin" in Path(download.value.path()).read_text(encoding="utf-8")
