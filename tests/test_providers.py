"""A provider's staff: only the placements in their own provisions, their answers and
reports attributed and logged, and nothing else of a resident's case."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from clients.models import AccessLog
from partners.models import OrganisationKind, Role
from trajectories.models import AbsenceReport, Action, Goal, Placement

from . import factories

TODAY = date.today()


@pytest.fixture
def own_provision(care_provider, municipality):
    return factories.make_provision(
        provider=care_provider, name="Dagbesteding CAB", capacity_places=2
    )


@pytest.fixture
def proposal(client_record, own_provision):
    factories.make_plan_ready(client_record, on=TODAY - timedelta(days=20))
    client_record.phone, client_record.email = "0612345678", "fenna@example.org"
    client_record.save()
    return Placement.propose(client_record, own_provision, TODAY - timedelta(days=10))


@pytest.fixture
def other_placement(municipality):
    """A placement in another provider's provision."""
    other = factories.make_organisation("Abrona", OrganisationKind.CARE_PROVIDER, [municipality])
    resident = factories.make_client(municipality, last_name="Anders")
    factories.make_plan_ready(resident, on=TODAY - timedelta(days=20))
    return Placement.propose(
        resident, factories.make_provision(provider=other), TODAY - timedelta(days=5)
    )


def provider_urls(placement):
    return [
        reverse("trajectories:provider_placement", args=[placement.pk]),
        *[
            reverse(f"trajectories:provider_{step}", args=[placement.pk])
            for step in ("accept", "decline", "start", "absence", "end")
        ],
        reverse("trajectories:provider_capacity", args=[placement.provision_id]),
    ]


def test_the_provider_sees_its_own_proposal_in_the_inbox(client, provider, proposal):
    client.force_login(provider)
    response = client.get(reverse("trajectories:provider_inbox"))
    assert response.status_code == 200
    assert "Dijk, Fenna van" in response.text
    assert "Dagbesteding CAB" in response.text


def test_the_inbox_leaves_out_other_providers_placements(
    client, provider, proposal, other_placement
):
    client.force_login(provider)
    response = client.get(reverse("trajectories:provider_inbox"))
    assert "Anders" not in response.text


def test_home_takes_a_provider_to_the_inbox(client, provider):
    client.force_login(provider)
    assert client.get(reverse("home")).url == reverse("trajectories:provider_inbox")


def test_an_overdue_answer_stands_out_in_the_inbox(client, provider, care_provider, proposal):
    care_provider.agreements.create(response_days=5, valid_from=TODAY - timedelta(days=365))
    client.force_login(provider)
    response = client.get(reverse("trajectories:provider_inbox"))
    due = (proposal.proposed_on + timedelta(days=5)).strftime("%d-%m-%Y")
    assert f"Antwoord te laat: afgesproken uiterlijk {due}" in response.text


@pytest.mark.parametrize("step", [None, "accept", "decline", "start", "absence", "end", "capacity"])
def test_another_providers_placement_is_not_found(client, provider, other_placement, step):
    client.force_login(provider)
    urls = provider_urls(other_placement)
    url = {None: urls[0], "capacity": urls[-1]}.get(step) or reverse(
        f"trajectories:provider_{step}", args=[other_placement.pk]
    )
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x", "capacity_places": 50}).status_code == 404
    other_placement.refresh_from_db()
    assert other_placement.status == Placement.Status.PROPOSED


@pytest.mark.parametrize("role", ["consultant", "social_team_member", "manager", "administrator"])
def test_other_roles_cannot_use_the_provider_pages(client, request, role, proposal):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("trajectories:provider_inbox")).status_code == 404
    for url in provider_urls(proposal):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"reason": "x"}).status_code == 404, url
    proposal.refresh_from_db()
    assert proposal.status == Placement.Status.PROPOSED


def test_the_provider_reaches_no_case_not_even_of_its_own_placement(
    client, provider, care_provider, proposal, client_record
):
    # Even a case shared with the provider's organisation stays closed to its staff.
    factories.make_share(client_record, care_provider, parts=["summary", "plan", "placements"])
    client.force_login(provider)
    for url in [
        reverse("trajectories:case", args=[client_record.pk]),
        reverse("trajectories:timeline", args=[client_record.pk]),
        reverse("trajectories:export_json", args=[client_record.pk]),
        reverse("trajectories:summary_pdf", args=[client_record.pk]),
        reverse("trajectories:list") + "?q=Dijk",
        reverse("trajectories:mine"),
        reverse("trajectories:shared"),
        reverse("trajectories:bulk_exports"),
        reverse("reports"),
        reverse("report_csv"),
        reverse("access_log"),
    ]:
        assert client.get(url).status_code in (403, 404), url


def test_the_placement_page_shows_what_a_provider_needs_and_no_more(
    client, provider, care_provider, proposal, client_record
):
    plan = client_record.plans.get()
    mine = Goal.objects.create(plan=plan, description="Werkritme opdoen")
    Action.objects.create(
        goal=mine, description="Kennismaken bij CAB", responsible_organisation=care_provider
    )
    theirs = Goal.objects.create(plan=plan, description="Schulden op orde")
    Action.objects.create(goal=theirs, description="Budgetcoach", responsible="Schuldhulp")
    client.force_login(provider)
    response = client.get(reverse("trajectories:provider_placement", args=[proposal.pk]))
    text = response.text
    assert "Fenna van Dijk" in text and "0612345678" in text and "fenna@example.org" in text
    assert "Werkritme opdoen" in text and "Kennismaken bij CAB" in text
    assert "Schulden op orde" not in text
    assert client_record.bsn not in text
    assert client_record.masked_bsn not in text
    assert "Mijn kinderen" not in text  # the intake's own words
    assert "Problemen op meerdere leefgebieden" not in text  # the diagnosis


def test_each_view_of_a_placement_page_is_logged(client, provider, proposal, client_record):
    client.force_login(provider)
    client.get(reverse("trajectories:provider_placement", args=[proposal.pk]))
    entry = AccessLog.objects.get(action=AccessLog.Action.PROVIDER_VIEW)
    assert entry.client_id == client_record.pk
    assert entry.user == provider and entry.role == Role.PROVIDER
    assert entry.organisation == "Reinaerde"


def test_the_provider_accepts_a_proposal(client, provider, proposal):
    client.force_login(provider)
    response = client.post(
        reverse("trajectories:provider_accept", args=[proposal.pk]),
        {"accepted_on": TODAY.strftime("%d-%m-%Y")},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Placement.Status.ACCEPTED
    assert proposal.answered_by == provider and proposal.answered_at is not None
    assert proposal.history.first().history_user == provider
    assert AccessLog.objects.filter(
        action=AccessLog.Action.PROVIDER_REPORT, user=provider, client=proposal.client
    ).exists()


def test_the_provider_declines_with_a_reason_and_the_place_comes_free(client, provider, proposal):
    client.force_login(provider)
    response = client.post(
        reverse("trajectories:provider_decline", args=[proposal.pk]),
        {"end_on": TODAY.strftime("%d-%m-%Y"), "reason": "Geen begeleider vrij op maandag."},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Placement.Status.ENDED
    assert proposal.end_reason == Placement.EndReason.DECLINED
    assert proposal.end_note == "Geen begeleider vrij op maandag."
    assert proposal.answered_by == provider
    assert proposal.history.count() >= 2
    proposal.provision.refresh_from_db()
    assert proposal.provision.occupied_places == 0


def test_a_decline_without_a_reason_keeps_what_was_typed(client, provider, proposal):
    client.force_login(provider)
    response = client.post(
        reverse("trajectories:provider_decline", args=[proposal.pk]),
        {"end_on": "01-01-2999", "reason": "  "},
    )
    assert response.status_code == 200
    assert "01-01-2999" in response.text
    assert "Dit veld is verplicht." in response.text
    proposal.refresh_from_db()
    assert proposal.status == Placement.Status.PROPOSED


def test_the_consultant_sees_the_answer_on_the_case_page_and_in_the_caseload(
    client, provider, consultant, proposal, client_record
):
    proposal.decline(TODAY, "Geen plek voor deze doelgroep.", by=provider)
    client.force_login(consultant)
    case = client.get(client_record.get_absolute_url()).text
    assert "Afgewezen door Pia Kok van de aanbieder" in case
    assert "Geen plek voor deze doelgroep." in case
    caseload = client.get(reverse("trajectories:mine")).text
    assert "aanbieder heeft afgewezen" in caseload


def test_the_provider_reports_a_start(client, provider, proposal):
    proposal.accept(TODAY - timedelta(days=3), "Pia Kok", by=provider)
    client.force_login(provider)
    response = client.post(
        reverse("trajectories:provider_start", args=[proposal.pk]),
        {"start_on": TODAY.strftime("%d-%m-%Y")},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Placement.Status.ACTIVE and proposal.start_on == TODAY
    assert proposal.history.first().history_user == provider


def test_a_start_in_the_future_is_refused_beside_the_field(client, provider, proposal):
    proposal.accept(TODAY - timedelta(days=3), "Pia Kok", by=provider)
    client.force_login(provider)
    later = (TODAY + timedelta(days=3)).strftime("%d-%m-%Y")
    response = client.post(
        reverse("trajectories:provider_start", args=[proposal.pk]), {"start_on": later}
    )
    assert response.status_code == 200
    assert later in response.text
    assert "in de toekomst" in response.text


@pytest.fixture
def active(proposal, provider):
    proposal.accept(TODAY - timedelta(days=9), "Pia Kok", by=provider)
    proposal.activate(TODAY - timedelta(days=8))
    return proposal


def test_the_provider_reports_absence_and_the_consultant_sees_it(
    client, provider, consultant, active, client_record
):
    client.force_login(provider)
    response = client.post(
        reverse("trajectories:provider_absence", args=[active.pk]),
        {
            "period_start": (TODAY - timedelta(days=7)).strftime("%d-%m-%Y"),
            "period_end": TODAY.strftime("%d-%m-%Y"),
            "days_absent": "2",
            "pattern": "Steeds op maandag afwezig.",
        },
    )
    assert response.status_code == 302
    report = AbsenceReport.objects.get()
    assert report.reported_by == provider and report.days_absent == 2
    assert AccessLog.objects.filter(action=AccessLog.Action.PROVIDER_REPORT).exists()
    client.force_login(consultant)
    case = client.get(client_record.get_absolute_url()).text
    assert "Steeds op maandag afwezig." in case


def test_more_days_absent_than_the_period_has_is_refused(client, provider, active):
    client.force_login(provider)
    response = client.post(
        reverse("trajectories:provider_absence", args=[active.pk]),
        {
            "period_start": TODAY.strftime("%d-%m-%Y"),
            "period_end": TODAY.strftime("%d-%m-%Y"),
            "days_absent": "3",
            "pattern": "Ziek",
        },
    )
    assert response.status_code == 200
    assert "Meer dagen afwezig dan de periode dagen heeft." in response.text
    assert not AbsenceReport.objects.exists()


def test_the_provider_reports_an_end(client, provider, active):
    client.force_login(provider)
    response = client.post(
        reverse("trajectories:provider_end", args=[active.pk]),
        {"end_on": TODAY.strftime("%d-%m-%Y"), "end_reason": "goal_reached", "end_note": ""},
    )
    assert response.status_code == 302
    active.refresh_from_db()
    assert active.status == Placement.Status.ENDED
    assert active.end_reason == Placement.EndReason.GOAL_REACHED
    assert active.history.first().history_user == provider


def test_an_end_without_a_reason_is_refused(client, provider, active):
    client.force_login(provider)
    response = client.post(
        reverse("trajectories:provider_end", args=[active.pk]),
        {"end_on": TODAY.strftime("%d-%m-%Y"), "end_reason": ""},
    )
    assert response.status_code == 200
    active.refresh_from_db()
    assert active.status == Placement.Status.ACTIVE


def test_a_step_the_status_does_not_allow_is_not_there(client, provider, proposal):
    client.force_login(provider)
    url = reverse("trajectories:provider_start", args=[proposal.pk])
    assert client.get(url).status_code == 404


def test_the_provider_keeps_the_capacity_current(client, provider, own_provision, proposal):
    client.force_login(provider)
    url = reverse("trajectories:provider_capacity", args=[own_provision.pk])
    response = client.post(url, {"capacity_places": "5"})
    assert response.status_code == 302
    own_provision.refresh_from_db()
    assert own_provision.capacity_places == 5
    assert own_provision.history.first().history_user == provider
    assert AccessLog.objects.filter(
        action=AccessLog.Action.PROVIDER_REPORT, detail__startswith="capacity"
    ).exists()


def test_the_capacity_cannot_go_below_the_places_taken(client, provider, own_provision, proposal):
    client.force_login(provider)
    url = reverse("trajectories:provider_capacity", args=[own_provision.pk])
    response = client.post(url, {"capacity_places": "0"})
    assert response.status_code == 200
    assert "1 plaatsen zijn bezet; de capaciteit kan niet lager zijn." in response.text
    assert 'value="0"' in response.text
    own_provision.refresh_from_db()
    assert own_provision.capacity_places == 2


def test_a_place_made_free_goes_to_the_first_in_line(client, provider, own_provision, municipality):
    own_provision.capacity_places = 0
    own_provision.save()
    resident = factories.make_client(municipality, last_name="Wachter")
    factories.make_plan_ready(resident)
    waiting = Placement.propose(resident, own_provision, TODAY)
    assert waiting.status == Placement.Status.WAITING
    client.force_login(provider)
    client.post(
        reverse("trajectories:provider_capacity", args=[own_provision.pk]),
        {"capacity_places": "1"},
    )
    assert Placement.objects.first_in_line_with_a_free_place().filter(pk=waiting.pk).exists()
    assert factories.Case.objects.get(pk=resident.pk).place_offerable


def test_the_inbox_query_count_stays_flat(
    client, provider, own_provision, municipality, django_assert_max_num_queries
):
    own_provision.capacity_places = 40
    own_provision.save()
    for number in range(30):
        resident = factories.make_client(municipality, last_name=f"Inwoner{number}")
        factories.make_plan_ready(resident)
        Placement.propose(resident, own_provision, TODAY)
    client.force_login(provider)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("trajectories:provider_inbox"))
    assert response.status_code == 200
    assert "Inwoner29" in response.text or "Volgende" in response.text


def test_the_placement_page_query_count_is_bounded(
    client, provider, care_provider, active, django_assert_max_num_queries
):
    plan = active.client.plans.get()
    for number in range(5):
        goal = Goal.objects.create(plan=plan, description=f"Doel {number}")
        Action.objects.create(
            goal=goal, description="Actie", responsible_organisation=care_provider
        )
        AbsenceReport.objects.create(
            placement=active, period_start=TODAY, period_end=TODAY, days_absent=1
        )
    client.force_login(provider)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("trajectories:provider_placement", args=[active.pk]))
    assert response.status_code == 200


def test_another_partners_contacts_agreements_and_late_answers_stay_hidden(
    client, provider, care_provider, other_placement
):
    """A provider's staff read the catalogue, not another partner's covenant or its record."""
    other = other_placement.provision.provider
    other.contacts.create(name="Karel Anders", function="Coördinator")
    client.force_login(provider)
    page = client.get(other.get_absolute_url())
    assert page.status_code == 200
    assert "Karel Anders" not in page.text
    assert "Convenantafspraken" not in page.text
    assert "Voorstellen die langer wachten dan afgesproken" not in page.text
    overdue = "trajectories:partner_overdue"
    assert client.get(reverse(overdue, args=[other.pk])).status_code == 404
    assert client.get(reverse(overdue, args=[care_provider.pk])).status_code == 200
    own = client.get(care_provider.get_absolute_url()).text
    assert "Voorstellen die langer wachten dan afgesproken" in own
