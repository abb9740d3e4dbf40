"""The consultant's journey in a browser: HTMX step forms on the case page, focus after every
swap, keyboard only, accessibility of each form, and a draft that survives a closed tab."""

import re
from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from clients.models import Client
from trajectories.models import FormDraft, Placement, Reevaluation, Transition

from . import factories, test_browser

SERIOUS = test_browser.SERIOUS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migrated_data"),
]

BSN = "111222333"  # passes the eleven test


def iso(day):
    return day.isoformat()


@pytest.fixture
def provisions(municipality):
    """A day centre (chain step 2) and volunteering (chain step 3) in Woerden."""
    day_centre = factories.make_provision(
        name="Dagbesteding CAB", municipality=municipality, chain_step=2
    )
    volunteering = factories.make_provision(
        name="Vrijwilligerswerk met begeleiding", municipality=municipality, chain_step=3
    )
    return day_centre, volunteering


class AxeLog:
    """Serious and critical axe violations per moment of the journey, to assert at the end so
    that one violation does not hide the rest of the journey."""

    def __init__(self, page):
        self.page, self.found = page, {}

    def check(self, moment):
        results = Axe().run(self.page)
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(node["target"]) for node in v["nodes"])
            for v in results.response["violations"]
            if v["impact"] in SERIOUS
        ]
        if violations:
            self.found[moment] = violations


def optional(label):
    """An optional field's label: the form marks it "(optioneel)"."""
    return re.compile(rf"^{re.escape(label)} \(optioneel\)$")


def step_form(page):
    return page.locator("#step-form")


def message(page):
    return page.locator(".messages .utrecht-alert")


def current_stage(page):
    return page.locator("#case [aria-current=step]")


class CasePage:
    """A resident's case page, on which every step is a form swapped in and out with HTMX:
    it never loads again once it is open."""

    def __init__(self, page, url):
        self.page, self.url, self.loads = page, url, []
        page.on("load", lambda loaded: self.loads.append(loaded.url))
        self.form = step_form(page)
        self.next_step = page.locator("#case .next-step")
        self.plan = page.locator("#case section[aria-labelledby=plan-heading]")
        self.placements = page.locator("#case section[aria-labelledby=placements-heading]")

    def form_opened(self, heading, step_url):
        """The step's form is in the page and its heading has focus; the address shows the
        step (hx-push-url), so a reload opens the same form as a page of its own."""
        expect(self.form.get_by_role("heading", level=2, name=heading, exact=True)).to_be_focused()
        expect(self.page).to_have_url(re.compile(re.escape(step_url) + "$"))
        assert self.loads == []

    def open(self, link, heading, step_url):
        link.click()
        self.form_opened(heading, step_url)

    def saved(self, text, stage):
        """The case is swapped in place: the form is gone, the stepper moved on, and the
        message has focus; the address is the case page's again."""
        expect(message(self.page)).to_have_text(text)
        expect(message(self.page)).to_be_focused()
        expect(current_stage(self.page)).to_have_text(stage)
        expect(self.form).to_be_empty()
        expect(self.page).to_have_url(self.url)
        assert self.loads == []

    def save(self, text, stage, button="Opslaan"):
        self.form.get_by_role("button", name=button, exact=True).click()
        self.saved(text, stage)


def test_a_consultant_takes_a_resident_through_the_whole_cycle(
    logged_in, live_server, consultant, municipality, provisions
):
    today = date.today()
    day_centre, volunteering = provisions
    page = logged_in(consultant.username)
    axe = AxeLog(page)

    # Register through the form on the client list.
    page.goto(live_server.url + reverse("trajectories:list"))
    page.get_by_role("link", name="Inwoner inschrijven").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inwoner inschrijven")
    page.get_by_label("Voornaam").fill("Sanne")
    page.get_by_label("Achternaam").fill("Visser")
    page.get_by_label("BSN").fill(BSN)
    page.get_by_label("Geboortedatum").fill("1990-04-12")
    page.get_by_label("Gemeente").select_option(label=municipality.name)
    axe.check("register form")
    page.get_by_role("button", name="Inschrijven").click()
    expect(message(page)).to_have_text("Sanne Visser is ingeschreven.")
    resident = Client.objects.get(bsn=BSN)
    case_url = resident.get_absolute_url()
    expect(page).to_have_url(live_server.url + case_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sanne Visser")
    expect(current_stage(page)).to_have_text("Intake")
    axe.check("case page after registering")

    # From here on every step is swapped into the case page.
    case = CasePage(page, live_server.url + case_url)
    next_step, plan, placements, form = case.next_step, case.plan, case.placements, case.form

    def step_url(name, *args):
        return reverse(f"trajectories:{name}", args=[resident.pk, *args])

    # Brede intake: first an invalid post keeps what was typed and shows the error summary.
    case.open(
        next_step.get_by_role("link", name="Brede intake"),
        "Brede intake",
        step_url("intake"),
    )
    axe.check("intake form")
    form.get_by_label("Aantekeningen van de klantmanager").fill("Eerste gesprek bij haar thuis.")
    form.get_by_label("Toelichting bij Financiën").fill("Schulden bij de energieleverancier.")
    form.get_by_role("button", name="Opslaan", exact=True).click()
    summary = form.locator(".error-summary")
    expect(summary).to_be_focused()
    assert case.loads == []
    expect(summary).to_contain_text(
        "Schrijf ten minste één ding op in de eigen woorden van de inwoner."
    )
    expect(
        summary.get_by_role("link", name="Huidige trede op de participatieladder")
    ).to_be_visible()
    expect(summary.get_by_role("link", name="Score voor Financiën")).to_be_visible()
    expect(form.get_by_label("Aantekeningen van de klantmanager")).to_have_value(
        "Eerste gesprek bij haar thuis."
    )
    expect(form.get_by_label("Toelichting bij Financiën")).to_have_value(
        "Schulden bij de energieleverancier."
    )
    expect(current_stage(page)).to_have_text("Intake")
    axe.check("intake form with errors")
    # The summary links to the field to correct.
    summary.get_by_role("link", name="Huidige trede op de participatieladder").click()
    expect(form.get_by_label("Huidige trede op de participatieladder")).to_be_focused()

    form.get_by_label("Datum van de intake").fill(iso(today - timedelta(days=30)))
    form.get_by_label("Wat voor mij belangrijk is").fill("Mijn dochter en de hond.")
    form.get_by_label("Wat ik wil doen").fill("Iets met dieren doen.")
    form.get_by_label("Huidige trede op de participatieladder").select_option(
        label="2. Sociale contacten buiten de deur"
    )
    form.get_by_label("Haalbare trede").select_option(label="4. Onbetaald werk")
    form.get_by_label("Score voor Financiën").select_option(label="2. Niet zelfredzaam")
    form.get_by_label("Score voor Sociaal netwerk").select_option(label="3. Beperkt zelfredzaam")
    case.save("De intake is opgeslagen.", "Diagnose")
    expect(page.locator("#case .own-words")).to_contain_text("Mijn dochter en de hond.")
    axe.check("case page after the intake")

    # Diagnosis.
    case.open(
        next_step.get_by_role("link", name="Diagnose stellen"),
        "Diagnose",
        step_url("diagnosis"),
    )
    axe.check("diagnosis form")
    form.get_by_label("Gesteld op").fill(iso(today - timedelta(days=25)))
    form.get_by_label("Categorie").select_option(label="3. Ontwikkelbaar")
    form.get_by_label("Betaald werk op termijn").check()
    form.get_by_label("Doeltrede").select_option(label="4. Onbetaald werk")
    form.get_by_label("Onderbouwing").fill("Eerst rust in de financiën, dan structuur.")
    form.get_by_label("Schuldhulpverlening").check()
    form.get_by_label("Dagbesteding", exact=True).check()
    case.save("De diagnose is opgeslagen.", "Plan van aanpak")
    expect(page.locator("#case")).to_contain_text("Schuldhulpverlening, Dagbesteding")
    axe.check("case page after the diagnosis")

    # Plan of action: a goal, then an action with who and when.
    case.open(
        next_step.get_by_role("link", name="Doel toevoegen aan het plan"),
        "Nieuw doel in het plan van aanpak",
        step_url("goal"),
    )
    axe.check("goal form")
    form.get_by_label("Doel", exact=True).fill("Een vaste dagstructuur")
    form.get_by_label("Vorm van participatie").select_option(label="Maatschappelijke participatie")
    case.save("Het doel is toegevoegd aan het plan van aanpak.", "Plaatsing")
    axe.check("case page after the goal")

    case.open(
        plan.get_by_role("link", name="Actie toevoegen"),
        "Nieuwe actie",
        step_url("action"),
    )
    axe.check("action form")
    form.get_by_label("Actie", exact=True).fill("Kennismaken bij de dagbesteding")
    form.get_by_label(optional("Verantwoordelijke")).fill("Sanne en klantmanager")
    form.get_by_label("Uiterlijk op").fill(iso(today + timedelta(days=14)))
    case.save("De actie is toegevoegd.", "Plaatsing")
    expect(plan).to_contain_text("Kennismaken bij de dagbesteding")
    axe.check("case page after the action")

    # Placement: propose (choose in the table), the provider accepts, start.
    case.open(
        next_step.get_by_role("link", name="Plaatsing voorstellen"),
        "Plaatsing voorstellen",
        step_url("propose"),
    )
    axe.check("propose form")
    form.get_by_role("radio", name="Dagbesteding CAB").check()
    form.get_by_label("Voorgesteld op").fill(iso(today - timedelta(days=20)))
    case.save("De plaatsing in Dagbesteding CAB is voorgesteld.", "Plaatsing", "Voorstellen")
    axe.check("case page after proposing")
    placement = Placement.objects.get(client=resident)

    case.open(
        placements.get_by_role("link", name="Aanbieder akkoord"),
        "De aanbieder gaat akkoord: Dagbesteding CAB",
        step_url("accept", placement.pk),
    )
    axe.check("accept form")
    form.get_by_label("Geaccepteerd op", exact=True).fill(iso(today - timedelta(days=18)))
    form.get_by_label("Geaccepteerd op zeggen van").fill("Els (CAB)")
    case.save("Het akkoord van Dagbesteding CAB is vastgelegd.", "Plaatsing")
    expect(placements).to_contain_text("Els (CAB)")
    axe.check("case page after the provider accepted")

    case.open(
        placements.get_by_role("link", name="Starten", exact=True),
        "Plaatsing starten: Dagbesteding CAB",
        step_url("start", placement.pk),
    )
    axe.check("start form")
    form.get_by_label("Startdatum").fill(iso(today - timedelta(days=15)))
    case.save("De plaatsing in Dagbesteding CAB is gestart.", "Herbeoordeling")
    axe.check("case page after the start")

    # Transition to volunteering, with motives and a blocker.
    case.open(
        placements.get_by_role("link", name="Overstap", exact=True),
        "Overstap naar een andere voorziening: Dagbesteding CAB",
        step_url("transition", placement.pk),
    )
    axe.check("transition form")
    form.get_by_label("Overstappen naar voorziening").select_option(
        label="(Begeleid) vrijwilligerswerk: Vrijwilligerswerk met begeleiding"
    )
    form.get_by_label("Start in de nieuwe voorziening op").fill(iso(today - timedelta(days=5)))
    form.get_by_label("Motieven voor de overstap").fill("Sanne wil meer verantwoordelijkheid.")
    form.get_by_label("Vervoer").check()
    form.get_by_label("Andere knelpunten").fill("Busverbinding alleen in de ochtend.")
    case.save("De overstap vanuit Dagbesteding CAB is vastgelegd.", "Herbeoordeling")
    expect(placements.get_by_role("row")).to_have_count(3)  # header, ended, active
    axe.check("case page after the transition")

    # Re-evaluation of the new placement: one rung up, continue.
    case.open(
        next_step.get_by_role("link", name="Herbeoordelen"),
        "Herbeoordeling",
        step_url("reevaluation"),
    )
    axe.check("re-evaluation form")
    form.get_by_label("Plaatsing", exact=True).select_option(
        label="Sanne Visser – Vrijwilligerswerk met begeleiding"
    )
    form.get_by_label("Huidige trede op de participatieladder").select_option(
        label="3. Deelname aan georganiseerde activiteiten"
    )
    form.get_by_label("Score voor Financiën").select_option(label="3. Beperkt zelfredzaam")
    form.get_by_label("Voortzetten").check()
    form.get_by_label(optional("Toelichting")).fill("Gaat goed.")
    case.save("De herbeoordeling is opgeslagen.", "Herbeoordeling")
    reevaluations = page.locator("#case section[aria-labelledby=reevaluations-heading]")
    expect(reevaluations).to_contain_text("Voortzetten.")
    expect(reevaluations).to_contain_text("Ladderbeweging: +1.")
    axe.check("case page after the re-evaluation")

    # Everything was stored.
    transition = Transition.objects.get(client=resident)
    assert transition.to_placement.provision == volunteering
    assert [b.name for b in transition.blockers.all()] == ["Vervoer"]
    assert Reevaluation.objects.get(client=resident).ladder_movement == 1
    assert FormDraft.objects.count() == 0
    assert axe.found == {}


def is_focused(locator):
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator, max_presses=80):
    """Press Tab until the element has focus, as a keyboard user walks the page."""
    for _ in range(max_presses):
        if is_focused(locator):
            return
        page.keyboard.press("Tab")
    if not is_focused(locator):
        raise AssertionError(f"{locator} not reached in {max_presses} presses of Tab")


def choose_radio(page, group, name):
    """Tab into a radio group, check its first radio with Space, then arrow to the one named."""
    radios = group.get_by_role("radio")
    tab_to(page, radios.first)
    page.keyboard.press("Space")
    target = group.get_by_role("radio", name=name)
    for _ in range(radios.count()):
        if target.is_checked():
            break
        page.keyboard.press("ArrowDown")
    expect(target).to_be_checked()
    expect(target).to_be_focused()


def press_on(page, locator, key="Enter"):
    tab_to(page, locator)
    page.keyboard.press(key)


def test_the_journey_works_by_keyboard_alone(
    live_server, page, consultant, municipality, provisions
):
    today = date.today()
    # Log in.
    page.goto(live_server.url + reverse("login"))
    tab_to(page, page.get_by_label("Gebruikersnaam"))
    page.keyboard.type(consultant.username)
    tab_to(page, page.get_by_label("Wachtwoord"))
    page.keyboard.type("secret-test-password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    # Register.
    page.goto(live_server.url + reverse("trajectories:list"))
    press_on(page, page.get_by_role("link", name="Inwoner inschrijven"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Inwoner inschrijven")
    tab_to(page, page.get_by_label("Voornaam"))
    page.keyboard.type("Karel")
    tab_to(page, page.get_by_label("Achternaam"))
    page.keyboard.type("Bos")
    tab_to(page, page.get_by_label("BSN"))
    page.keyboard.type("111 222 333")
    birth = page.get_by_label("Geboortedatum")
    tab_to(page, birth)
    # Day and month alike: the same keys whether the browser's date order is dd-mm or mm-dd.
    page.keyboard.type("12121990")
    expect(birth).to_have_value("1990-12-12")
    municipality_select = page.get_by_label("Gemeente")
    tab_to(page, municipality_select)
    page.keyboard.press("ArrowDown")
    expect(municipality_select).to_have_value(str(municipality.pk))
    press_on(page, page.get_by_role("button", name="Inschrijven"))
    expect(message(page)).to_have_text("Karel Bos is ingeschreven.")
    resident = Client.objects.get(bsn=BSN)
    case_url = resident.get_absolute_url()
    expect(page).to_have_url(live_server.url + case_url)
    expect(current_stage(page)).to_have_text("Intake")

    case = CasePage(page, live_server.url + case_url)
    next_step, placements, form = case.next_step, case.placements, case.form

    def step_url(name, *args):
        return reverse(f"trajectories:{name}", args=[resident.pk, *args])

    # Brede intake.
    press_on(page, next_step.get_by_role("link", name="Brede intake"))
    case.form_opened("Brede intake", step_url("intake"))
    held_on = form.get_by_label("Datum van de intake")
    tab_to(page, held_on)
    page.keyboard.type(f"0101{today.year}")  # the same keys for dd-mm and mm-dd
    expect(held_on).to_have_value(iso(date(today.year, 1, 1)))
    tab_to(page, form.get_by_label("Wat voor mij belangrijk is"))
    page.keyboard.type("Weer onder de mensen komen.")
    rung = form.get_by_label("Huidige trede op de participatieladder")
    tab_to(page, rung)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(rung.locator("option:checked")).to_have_text("2. Sociale contacten buiten de deur")
    score = form.get_by_label("Score voor Sociaal netwerk")
    tab_to(page, score)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(score.locator("option:checked")).to_have_text("2. Niet zelfredzaam")
    press_on(page, form.get_by_role("button", name="Opslaan", exact=True))
    case.saved("De intake is opgeslagen.", "Diagnose")

    # Diagnosis.
    press_on(page, next_step.get_by_role("link", name="Diagnose stellen"))
    case.form_opened("Diagnose", step_url("diagnosis"))
    # Typed, as the date starts on today (test_a_step_date_starts_on_today); on the intake's day.
    made_on = form.get_by_label("Gesteld op")
    tab_to(page, made_on)
    page.keyboard.type(f"0101{today.year}")  # the same keys for dd-mm and mm-dd
    expect(made_on).to_have_value(iso(date(today.year, 1, 1)))
    category = form.get_by_label("Categorie")
    tab_to(page, category)
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(category.locator("option:checked")).to_have_text("3. Ontwikkelbaar")
    choose_radio(
        page,
        form.get_by_role("group", name="Perspectief op betaald werk"),
        "Betaald werk op termijn",
    )
    tab_to(page, form.get_by_label("Onderbouwing"))
    page.keyboard.type("Eerst een dagritme.")
    debt_help = form.get_by_label("Schuldhulpverlening")
    press_on(page, debt_help, "Space")
    expect(debt_help).to_be_checked()
    press_on(page, form.get_by_role("button", name="Opslaan", exact=True))
    case.saved("De diagnose is opgeslagen.", "Plan van aanpak")

    # A goal: first saved empty, then corrected through the error summary's link.
    press_on(page, next_step.get_by_role("link", name="Doel toevoegen aan het plan"))
    case.form_opened("Nieuw doel in het plan van aanpak", step_url("goal"))
    press_on(page, form.get_by_role("button", name="Opslaan", exact=True))
    summary = form.locator(".error-summary")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link", name="Doel", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    description = form.get_by_label("Doel", exact=True)
    expect(description).to_be_focused()
    page.keyboard.type("Drie ochtenden per week iets doen")
    participation = form.get_by_label("Vorm van participatie")
    tab_to(page, participation)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(participation.locator("option:checked")).to_have_text("Maatschappelijke participatie")
    press_on(page, form.get_by_role("button", name="Opslaan", exact=True))
    case.saved("Het doel is toegevoegd aan het plan van aanpak.", "Plaatsing")

    # Propose: the provision is a radio in the table.
    press_on(page, next_step.get_by_role("link", name="Plaatsing voorstellen"))
    case.form_opened("Plaatsing voorstellen", step_url("propose"))
    choose_radio(page, form.locator("#choices"), "Dagbesteding CAB")
    press_on(page, form.get_by_role("button", name="Voorstellen", exact=True))
    case.saved("De plaatsing in Dagbesteding CAB is voorgesteld.", "Plaatsing")
    placement = Placement.objects.get(client=resident)

    # The provider accepts.
    press_on(page, placements.get_by_role("link", name="Aanbieder akkoord"))
    case.form_opened(
        "De aanbieder gaat akkoord: Dagbesteding CAB", step_url("accept", placement.pk)
    )
    tab_to(page, form.get_by_label("Geaccepteerd op zeggen van"))
    page.keyboard.type("Els (CAB)")
    press_on(page, form.get_by_role("button", name="Opslaan", exact=True))
    case.saved("Het akkoord van Dagbesteding CAB is vastgelegd.", "Plaatsing")

    # Start.
    press_on(page, placements.get_by_role("link", name="Starten", exact=True))
    case.form_opened("Plaatsing starten: Dagbesteding CAB", step_url("start", placement.pk))
    press_on(page, form.get_by_role("button", name="Opslaan", exact=True))
    case.saved("De plaatsing in Dagbesteding CAB is gestart.", "Herbeoordeling")

    placement.refresh_from_db()
    assert placement.status == Placement.Status.ACTIVE
    assert placement.accepted_by_provider == "Els (CAB)"


def test_a_draft_survives_a_closed_tab(logged_in, live_server, context, consultant, client_record):
    page = logged_in(consultant.username)
    case_url = live_server.url + client_record.get_absolute_url()

    def open_intake(page):
        page.goto(case_url)
        page.locator("#case .next-step").get_by_role("link", name="Brede intake").click()
        form = step_form(page)
        expect(form.get_by_role("heading", level=2, name="Brede intake")).to_be_focused()
        return form

    form = open_intake(page)
    own_words = form.get_by_label("Wat voor mij belangrijk is")
    own_words.click()
    page.keyboard.type("Mijn kleinkinderen zien.")
    expect(form.locator("#draft-status")).to_contain_text("Concept bewaard om")
    page.close()

    page = context.new_page()
    form = open_intake(page)
    expect(form.get_by_label("Wat voor mij belangrijk is")).to_have_value(
        "Mijn kleinkinderen zien."
    )
    expect(form.locator(".draft-note")).to_contain_text("Uw niet-opgeslagen concept van")
    discard = form.get_by_role("button", name="Concept weggooien")
    expect(discard).to_be_visible()

    # Throwing the draft away gives the empty form back, in place.
    discard.click()
    expect(form.get_by_label("Wat voor mij belangrijk is")).to_have_value("")
    expect(discard).to_have_count(0)
    expect(form.get_by_role("heading", level=2, name="Brede intake")).to_be_focused()
    assert FormDraft.objects.count() == 0


@pytest.mark.parametrize(("step", "label"), [("diagnosis", "Gesteld op"), ("note", "Datum")])
def test_a_step_date_starts_on_today(
    logged_in, live_server, consultant, client_record, step, label
):
    page = logged_in(consultant.username)
    page.goto(live_server.url + reverse(f"trajectories:{step}", args=[client_record.pk]))
    expect(page.get_by_label(label, exact=True)).to_have_value(iso(date.today()))


def test_a_step_saved_on_its_own_page_leads_to_the_case(
    logged_in, live_server, consultant, client_record
):
    page = logged_in(consultant.username)
    case_url = live_server.url + client_record.get_absolute_url()
    page.goto(case_url)
    case = CasePage(page, case_url)
    case.open(
        case.next_step.get_by_role("link", name="Brede intake"),
        "Brede intake",
        reverse("trajectories:intake", args=[client_record.pk]),
    )
    page.reload()  # the address shows the step: the form is now a page of its own
    expect(page.get_by_role("heading", level=1)).to_contain_text("Brede intake")
    page.get_by_label("Wat voor mij belangrijk is").fill("Mijn kleinkinderen zien.")
    page.get_by_label("Huidige trede op de participatieladder").select_option(
        label="2. Sociale contacten buiten de deur"
    )
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(message(page)).to_have_text("De intake is opgeslagen.")
    expect(page).to_have_url(case_url)
    expect(current_stage(page)).to_have_text("Diagnose")
    assert client_record.intakes.count() == 1


@pytest.mark.parametrize("step", ["propose", "reevaluation"])
def test_an_error_summary_link_takes_focus_to_its_choices(
    logged_in, live_server, consultant, client_record, provisions, step
):
    factories.make_full_cycle(client_record, provisions[0])
    page = logged_in(consultant.username)
    case_url = live_server.url + client_record.get_absolute_url()
    page.goto(case_url)
    case = CasePage(page, case_url)
    if step == "propose":
        link, heading, button, field, group = (
            case.placements.get_by_role("link", name="Plaatsing voorstellen"),
            "Plaatsing voorstellen",
            "Voorstellen",
            "Voorziening",
            "#choices",
        )
    else:
        link, heading, button, field, group = (
            case.next_step.get_by_role("link", name="Herbeoordelen"),
            "Herbeoordeling",
            "Opslaan",
            "Besluit",
            "fieldset#id_decision",
        )
    case.open(link, heading, reverse(f"trajectories:{step}", args=[client_record.pk]))
    press_on(page, case.form.get_by_role("button", name=button, exact=True))
    summary = case.form.locator(".error-summary")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link", name=field, exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"{group}:focus-within")).to_have_count(1)
