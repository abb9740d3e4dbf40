"""The step views of the case page: who may use them, HTMX and plain behaviour, drafts."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from clients.models import Client
from partners.models import Role
from trajectories.models import (
    Action,
    CaseNote,
    FormDraft,
    Goal,
    LadderRung,
    Placement,
    Stage,
)

from . import factories
from .factories import stage_of

HTMX = {"HX-Request": "true"}

STEP_URLS = [
    "trajectories:intake",
    "trajectories:diagnosis",
    "trajectories:goal",
    "trajectories:action",
    "trajectories:propose",
    "trajectories:reevaluation",
    "trajectories:note",
]
PLACEMENT_URLS = [
    "trajectories:accept",
    "trajectories:start",
    "trajectories:offer",
    "trajectories:end",
    "trajectories:transition",
]


@pytest.fixture
def placed(client_record, municipality):
    """The Woerden resident with a full cycle and an active placement."""
    return factories.make_full_cycle(
        client_record, factories.make_provision(municipality=municipality), on=date.today()
    )


@pytest.mark.parametrize("url_name", STEP_URLS)
def test_a_consultant_opens_every_step_of_their_resident(client, consultant, placed, url_name):
    client.force_login(consultant)
    response = client.get(reverse(url_name, args=[placed.client_id]))
    assert response.status_code == 200
    assert "<html" in response.text


def test_every_empty_choice_of_the_steps_reads_in_dutch(client, consultant, placed):
    client.force_login(consultant)
    urls = [reverse(name, args=[placed.client_id]) for name in STEP_URLS]
    urls += [reverse(name, args=[placed.client_id, placed.pk]) for name in PLACEMENT_URLS]
    urls += [
        reverse("trajectories:register"),
        reverse("trajectories:edit", args=[placed.client_id]),
    ]
    english = ("Select an option", "---------")
    pages = {url: client.get(url).text for url in urls}
    assert [url for url, page in pages.items() if any(label in page for label in english)] == []


@pytest.mark.parametrize("url_name", PLACEMENT_URLS)
def test_a_consultant_opens_every_placement_step(client, consultant, placed, url_name):
    client.force_login(consultant)
    response = client.get(reverse(url_name, args=[placed.client_id, placed.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["manager", "social_team_member"])
@pytest.mark.parametrize("url_name", STEP_URLS)
def test_roles_that_do_not_work_on_cases_get_404_on_the_steps(
    client, request, placed, role, url_name
):
    client.force_login(request.getfixturevalue(role))
    url = reverse(url_name, args=[placed.client_id])
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


@pytest.mark.parametrize("url_name", STEP_URLS)
def test_a_consultant_gets_404_for_a_resident_of_a_municipality_they_do_not_serve(
    client, consultant, client_elsewhere, url_name
):
    client.force_login(consultant)
    url = reverse(url_name, args=[client_elsewhere.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"what_matters": "x"}).status_code == 404


@pytest.mark.parametrize("url_name", PLACEMENT_URLS)
def test_a_placement_step_needs_the_placement_to_belong_to_the_resident(
    client, consultant, placed, municipality, url_name
):
    other = factories.make_client(municipality, consultant)
    client.force_login(consultant)
    assert client.get(reverse(url_name, args=[other.pk, placed.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(client, placed):
    response = client.get(reverse("trajectories:intake", args=[placed.client_id]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_manager_reads_the_timeline_but_not_the_step_buttons(client, manager, placed):
    client.force_login(manager)
    factories.give_reason(client, placed.client)
    response = client.get(placed.client.get_absolute_url())
    assert response.status_code == 200
    assert reverse("trajectories:reevaluation", args=[placed.client_id]) not in response.text
    assert client.get(reverse("trajectories:timeline", args=[placed.client_id])).status_code == 200


def test_the_timeline_is_404_for_whoever_may_not_see_the_case(
    client, consultant, social_team_member, client_elsewhere, client_record
):
    client.force_login(consultant)
    assert (
        client.get(reverse("trajectories:timeline", args=[client_elsewhere.pk])).status_code == 404
    )
    client.force_login(social_team_member)
    assert client.get(reverse("trajectories:timeline", args=[client_record.pk])).status_code == 404


# HTMX and plain behaviour


def test_htmx_opens_a_step_as_a_fragment(client, consultant, client_record):
    client.force_login(consultant)
    response = client.get(reverse("trajectories:intake", args=[client_record.pk]), headers=HTMX)
    assert response.text.lstrip().startswith('<div id="step-form"')
    assert "<html" not in response.text
    assert response["Vary"].find("HX-Request") >= 0


def test_an_invalid_htmx_post_returns_the_form_with_errors_and_what_was_typed(
    client, consultant, client_record
):
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:intake", args=[client_record.pk]),
        {"wishes": "Met mijn handen werken", "held_on": date.today().isoformat()},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "error-summary" in response.text
    assert "Met mijn handen werken" in response.text
    assert not client_record.intakes.exists()


def test_a_saved_htmx_step_swaps_the_whole_case_and_announces_it(client, consultant, client_record):
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:intake", args=[client_record.pk]),
        {
            "held_on": date.today().isoformat(),
            "what_matters": "Mijn kinderen",
            "current_rung": LadderRung.objects.get(number=2).pk,
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#case"
    assert response["HX-Reswap"] == "outerHTML"
    assert response["HX-Push-Url"] == client_record.get_absolute_url()
    assert response.text.lstrip().startswith('<div id="case">')
    assert 'id="messages"' in response.text and 'hx-swap-oob="true"' in response.text
    assert "De intake is opgeslagen." in response.text
    client_record.refresh_from_db()
    assert stage_of(client_record) == Stage.DIAGNOSIS


def test_a_rule_of_the_cycle_shows_as_a_form_error_not_a_500(client, consultant, client_record):
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:goal", args=[client_record.pk]),
        {"description": "Werk vinden"},
    )
    assert response.status_code == 200
    assert "Een plan van aanpak vraagt eerst een diagnose." in response.text
    assert not Goal.objects.exists()


def test_a_step_that_is_not_possible_says_why(client, consultant, placed):
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:accept", args=[placed.client_id, placed.pk]),
        {"accepted_on": date.today().isoformat(), "accepted_by_provider": "Els"},
    )
    assert response.status_code == 200
    assert "Deze stap kan niet: de plaatsing is actief." in response.text


def test_proposing_to_a_full_provision_reports_the_place_in_line(
    client, consultant, placed, municipality
):
    full = factories.make_provision(municipality=municipality, capacity_places=0)
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:propose", args=[placed.client_id]),
        {"provision": full.pk, "proposed_on": date.today().isoformat()},
        follow=True,
    )
    assert "staat als nummer 1 op de wachtlijst" in response.text
    assert Placement.objects.get(provision=full).status == Placement.Status.WAITING


def test_the_provision_choice_filters_by_chain_step_and_free_places(
    client, consultant, placed, municipality
):
    factories.make_provision(name="Vol", municipality=municipality, chain_step=3, capacity_places=0)
    factories.make_provision(name="Ruim", municipality=municipality, chain_step=3)
    factories.make_provision(name="Andere trede", municipality=municipality, chain_step=5)
    client.force_login(consultant)
    url = reverse("trajectories:propose", args=[placed.client_id])
    page = client.get(url, {"chain_step": 3, "free_only": "on", "filter": "1"}).text
    assert "Ruim" in page and "Vol" not in page and "Andere trede" not in page
    fragment = client.get(url, {"chain_step": 3, "filter": "1"}, headers=HTMX).text
    assert fragment.lstrip().startswith('<fieldset class="utrecht-form-fieldset')
    assert "Vol" in fragment and "Ruim" in fragment


def test_changing_an_action_status_keeps_the_history(client, consultant, placed):
    goal = Goal.objects.create(plan=placed.client.plans.get(), description="Structuur")
    action = Action.objects.create(goal=goal, description="Bellen", responsible="Sanne")
    client.force_login(consultant)
    url = reverse("trajectories:action_status", args=[placed.client_id, action.pk])
    assert client.post(url, {"status": "done", "seen_status": "open"}).status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    assert action.history.count() == 2
    response = client.post(url, {"status": "nonsense"}, follow=True)
    assert "Kies een geldige status." in response.text


# Drafts


def test_a_draft_is_saved_as_one_types_and_restored_later(client, consultant, client_record):
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:save_draft", args=[client_record.pk, "intake"]),
        {"what_matters": "Mijn moestuin", "wishes": "", "csrfmiddlewaretoken": "x"},
        headers=HTMX,
    )
    assert response.status_code == 200 and "Concept bewaard om" in response.text
    draft = FormDraft.objects.get()
    assert "csrfmiddlewaretoken" not in draft.data
    page = client.get(reverse("trajectories:intake", args=[client_record.pk])).text
    assert "Mijn moestuin" in page
    assert "Concept weggooien" in page


def test_a_draft_is_private_to_its_author(client, consultant, werkbedrijf, client_record):
    colleague = factories.make_user("consultant", werkbedrijf)
    FormDraft.objects.create(
        user=consultant, client=client_record, form_name="intake", data={"wishes": ["Geheim"]}
    )
    client.force_login(colleague)
    assert "Geheim" not in client.get(reverse("trajectories:intake", args=[client_record.pk])).text


def test_saving_the_step_or_discarding_removes_the_draft(client, consultant, client_record):
    client.force_login(consultant)
    FormDraft.objects.create(
        user=consultant, client=client_record, form_name="note", data={"text": ["Gebeld"]}
    )
    response = client.post(reverse("trajectories:discard_draft", args=[client_record.pk, "note"]))
    assert response.status_code == 302 and not FormDraft.objects.exists()
    FormDraft.objects.create(
        user=consultant, client=client_record, form_name="note", data={"text": ["Gebeld"]}
    )
    client.post(
        reverse("trajectories:note", args=[client_record.pk]),
        {"kind": "contact", "happened_on": date.today().isoformat(), "text": "Gebeld"},
    )
    assert CaseNote.objects.count() == 1 and not FormDraft.objects.exists()


def test_drafts_only_exist_for_step_forms(client, consultant, client_record):
    client.force_login(consultant)
    url = reverse("trajectories:save_draft", args=[client_record.pk, "anything"])
    assert client.post(url, {"x": "y"}).status_code == 404
    assert not FormDraft.objects.exists()


def test_a_draft_cannot_be_written_to_a_case_one_may_not_work_on(
    client, manager, consultant, client_elsewhere, client_record
):
    client.force_login(manager)
    url = reverse("trajectories:save_draft", args=[client_record.pk, "intake"])
    assert client.post(url, {"wishes": "x"}).status_code == 404
    client.force_login(consultant)
    url = reverse("trajectories:save_draft", args=[client_elsewhere.pk, "intake"])
    assert client.post(url, {"wishes": "x"}).status_code == 404
    assert not FormDraft.objects.exists()


# Registering


def registration(municipality, consultant, **fields):
    return {
        "first_name": "Sanne",
        "last_name": "Visser",
        "bsn": "111222333",
        "date_of_birth": "1990-04-12",
        "municipality": municipality.pk,
        "consultant": consultant.pk,
        **fields,
    }


def test_registering_an_existing_bsn_leads_to_the_existing_file(
    client, consultant, municipality, client_record
):
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:register"),
        registration(
            municipality, consultant, bsn=client_record.bsn[:3] + " " + client_record.bsn[3:]
        ),
    )
    assert response.status_code == 302 and response.url == client_record.get_absolute_url()
    assert Client.objects.count() == 1


def test_a_bsn_registered_elsewhere_is_refused_without_showing_the_file(
    client, consultant, municipality, client_elsewhere
):
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:register"),
        registration(municipality, consultant, bsn=client_elsewhere.bsn),
    )
    assert response.status_code == 200
    assert "gemeente die u niet bedient" in response.text
    assert client_elsewhere.last_name not in response.text
    assert Client.objects.count() == 1


def test_a_bsn_failing_the_eleven_test_is_refused_and_nothing_typed_is_lost(
    client, consultant, municipality
):
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:register"),
        registration(municipality, consultant, bsn="123456789", street_address="Kerkstraat 1"),
    )
    assert response.status_code == 200
    # The error itself: the help text under the field names the elfproef too.
    assert "Dit is geen geldig BSN: het voldoet niet aan de elfproef" in response.text
    assert "Kerkstraat 1" in response.text and "Sanne" in response.text
    assert not Client.objects.exists()


def test_a_consultant_registers_only_in_municipalities_they_serve(
    client, consultant, municipality, other_municipality
):
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:register"), registration(other_municipality, consultant)
    )
    assert response.status_code == 200
    assert not Client.objects.exists()


def test_a_resident_goes_only_to_a_consultant_who_serves_their_municipality(
    client, consultant, municipality, other_municipality
):
    elsewhere = factories.make_organisation(
        "Werkbedrijf Elders", municipalities=[other_municipality]
    )
    outsider = factories.make_user(Role.CONSULTANT, elsewhere, first_name="Olaf")
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:register"), registration(municipality, outsider, phone="06-11112222")
    )
    assert response.status_code == 200
    assert "werkt niet voor Woerden" in response.text and "06-11112222" in response.text
    assert not Client.objects.exists()


def test_a_date_of_birth_beyond_any_calendar_finds_nobody(client, consultant, client_record):
    client.force_login(consultant)
    response = client.get(reverse("trajectories:list"), {"q": "99999999999999999999-01-2000"})
    assert response.status_code == 200
    assert "Dijk, Fenna van" not in response.text


def test_only_roles_that_register_may_open_the_registration(client, manager, social_team_member):
    for user in (manager, social_team_member):
        client.force_login(user)
        assert client.get(reverse("trajectories:register")).status_code == 403


# The caseload


def test_the_caseload_filters_on_stage_category_municipality_and_chain_step(
    client, consultant, municipality, placed
):
    waiting = factories.make_client(municipality, consultant, first_name="Wendy", last_name="Wacht")
    client.force_login(consultant)
    url = reverse("trajectories:mine")
    by_stage = client.get(url, {"stage": "intake"}).text
    assert "Wacht, Wendy" in by_stage and "Dijk, Fenna van" not in by_stage
    by_category = client.get(url, {"category": 3}).text
    assert "Dijk, Fenna van" in by_category and "Wacht, Wendy" not in by_category
    by_step = client.get(url, {"chain_step": placed.provision.chain_step.position}).text
    assert "Dijk, Fenna van" in by_step and "Wacht, Wendy" not in by_step
    by_municipality = client.get(url, {"municipality": municipality.pk}).text
    assert "Dijk, Fenna van" in by_municipality and "Wacht, Wendy" in by_municipality
    nonsense = client.get(url, {"stage": "nope", "category": "x", "chain_step": "99"})
    assert nonsense.status_code == 200
    assert waiting.pk


def test_the_caseload_shows_the_next_step_and_makes_overdue_ones_stand_out(
    client, consultant, municipality
):
    late = factories.make_client(municipality, consultant, first_name="Lotte", last_name="Laat")
    factories.make_full_cycle(late, on=date.today() - timedelta(days=400))
    client.force_login(consultant)
    page = client.get(reverse("trajectories:mine")).text
    assert "Plaatsing herbeoordelen" in page
    assert "row--attention" in page and "te laat" in page
    only_attention = client.get(reverse("trajectories:mine"), {"attention": "on"}).text
    assert "Laat, Lotte" in only_attention


def test_a_free_place_is_offered_to_the_first_in_line_from_the_case_page(
    client, consultant, municipality
):
    today = date.today()
    provision = factories.make_provision(
        name="Kleine groep", municipality=municipality, capacity_places=1
    )
    holder, first, second = (
        factories.make_client(municipality, consultant, first_name=name, last_name="Wacht")
        for name in ("Hanna", "Eerste", "Tweede")
    )
    holding = factories.make_full_cycle(holder, provision, on=today - timedelta(days=30))
    for resident in (first, second):
        factories.make_full_cycle(resident, on=today - timedelta(days=40))
    in_line = [Placement.propose(r, provision, today - timedelta(days=20)) for r in (first, second)]
    client.force_login(consultant)
    offer = reverse("trajectories:offer", args=[first.pk, in_line[0].pk])

    case = client.get(first.get_absolute_url()).text
    assert "nummer 1</span>" in case and offer not in case

    holding.end(today, Placement.EndReason.GOAL_REACHED)
    case = client.get(first.get_absolute_url()).text
    assert offer in case
    second_case = client.get(second.get_absolute_url()).text
    assert "nummer 2</span>" in second_case
    assert reverse("trajectories:offer", args=[second.pk, in_line[1].pk]) not in second_case


def test_the_caseload_keeps_its_filters_in_the_url_for_htmx(client, consultant, client_record):
    client.force_login(consultant)
    response = client.get(reverse("trajectories:mine"), {"stage": "intake"}, headers=HTMX)
    assert response.text.lstrip().startswith('<div id="results">')
    page = client.get(reverse("trajectories:mine"), {"stage": "intake", "q": "fenna"}).text
    assert 'value="intake" selected' in page and 'value="fenna"' in page


# Query counts


def test_the_timeline_of_200_events_takes_a_fixed_number_of_queries(
    client, consultant, placed, django_assert_max_num_queries
):
    for day in range(200):
        CaseNote.objects.create(
            client=placed.client,
            author=consultant,
            kind="contact",
            happened_on=date.today() - timedelta(days=day),
            text=f"Contact {day}",
        )
    client.force_login(consultant)
    with django_assert_max_num_queries(19):
        response = client.get(reverse("trajectories:timeline", args=[placed.client_id]))
    assert response.text.count("timeline__event ") >= 200


def test_the_case_page_with_200_events_takes_a_fixed_number_of_queries(
    client, consultant, placed, django_assert_max_num_queries
):
    goal = Goal.objects.create(plan=placed.client.plans.get(), description="Structuur")
    for day in range(100):
        CaseNote.objects.create(
            client=placed.client, kind="note", happened_on=date.today(), text=f"Notitie {day}"
        )
        Action.objects.create(goal=goal, description=f"Actie {day}", responsible="Sanne")
    client.force_login(consultant)
    # One each for the steps reached in work-learning lines and the absence reports.
    with django_assert_max_num_queries(24):
        response = client.get(placed.client.get_absolute_url())
    assert response.text.count("Actie ") >= 100


def test_changing_personal_details_shows_on_the_timeline(client, consultant, client_record):
    client.force_login(consultant)
    url = reverse("trajectories:edit", args=[client_record.pk])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {"phone": "06-12345678", "date_of_birth": "1980-01-01"}
    response = client.post(url, data)
    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.phone == "06-12345678"
    timeline = client.get(reverse("trajectories:timeline", args=[client_record.pk])).text
    assert "Persoonsgegevens gewijzigd" in timeline and "telefoon" in timeline


def test_the_timeline_starts_with_the_registration(client, consultant, municipality):
    client.force_login(consultant)
    data = {
        "first_name": "Nina",
        "last_name": "Nieuw",
        "bsn": "111222333",
        "date_of_birth": "1990-05-01",
        "municipality": municipality.pk,
        "consultant": consultant.pk,
    }
    response = client.post(reverse("trajectories:register"), data)
    assert response.status_code == 302
    resident = Client.objects.get(bsn="111222333")
    timeline = client.get(reverse("trajectories:timeline", args=[resident.pk])).text
    assert "Ingeschreven in fermwerk" in timeline and str(consultant) in timeline
    nothing_yet = client.get(
        reverse("trajectories:timeline", args=[resident.pk]), {"kind": "note"}
    ).text
    assert "Niets te tonen voor deze keuze." in nothing_yet


def test_only_who_works_on_the_case_changes_personal_details(
    client, manager, consultant, client_record, client_elsewhere
):
    client.force_login(manager)
    assert client.get(reverse("trajectories:edit", args=[client_record.pk])).status_code == 404
    client.force_login(consultant)
    assert client.get(reverse("trajectories:edit", args=[client_elsewhere.pk])).status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("held_on", "9999-12-31", "in de toekomst"),
        ("held_on", "0001-01-01", "te ver terug"),
    ],
)
def test_dates_outside_a_sensible_range_are_refused_next_to_the_field(
    client, consultant, client_record, field, value, message
):
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:intake", args=[client_record.pk]),
        {field: value, "what_matters": "Rust", "current_rung": LadderRung.objects.get(number=1).pk},
    )
    assert response.status_code == 200
    assert message in response.text
    assert not client_record.intakes.exists()


def test_a_start_in_the_future_is_refused_not_a_500(client, consultant, placed, municipality):
    today = date.today()
    proposal = Placement.propose(
        placed.client, factories.make_provision(municipality=municipality), today
    )
    proposal.accept(today, "Els")
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:start", args=[placed.client_id, proposal.pk]),
        {"start_on": "9999-12-31"},
    )
    assert response.status_code == 200
    assert "in de toekomst" in response.text


def test_a_draft_with_a_nul_character_is_kept_without_it(client, consultant, client_record):
    client.force_login(consultant)
    url = reverse("trajectories:save_draft", args=[client_record.pk, "note"])
    assert client.post(url, {"te\x00xt": "Ge\x00beld"}).status_code == 200
    assert FormDraft.objects.get().data == {"text": ["Gebeld"]}


def test_a_huge_intervention_key_is_an_invalid_choice(client, consultant, client_record):
    from trajectories.models import Intake

    Intake.objects.create(client=client_record, held_on=date.today())
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:diagnosis", args=[client_record.pk]),
        {"interventions_economic": "99999999999999999999", "rationale": "x"},
    )
    assert response.status_code == 200
    assert not client_record.diagnoses.exists()
