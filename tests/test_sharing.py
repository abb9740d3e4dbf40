"""Sharing a case with a social team: the lawful basis, the parts shared, its end, and what
the social team may do with it (notes, case conferences, referrals)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from clients.models import Share
from partners.models import Membership, OrganisationKind
from trajectories.models import Case, CaseNote, Placement, Referral, Stage
from trajectories.views import PAGE_SIZE

from . import factories

pytestmark = pytest.mark.django_db


def share_data(organisation, **changes):
    data = {
        "organisation": organisation.pk,
        "basis": "consent",
        "consent_form": "written",
        "consent_given_on": (date.today() - timedelta(days=1)).isoformat(),
        "legal_article": "",
        "purpose": "Samen de ondersteuning thuis afstemmen.",
        "parts": ["summary", "plan"],
        "valid_until": (date.today() + timedelta(days=90)).isoformat(),
    }
    data.update(changes)
    return data


def test_a_consultant_shares_a_case_with_the_social_team_on_consent(
    client, consultant, client_record, social_team
):
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:share", args=[client_record.pk]), share_data(social_team)
    )
    assert response.status_code == 302
    shared = Share.objects.get()
    assert shared.organisation == social_team
    assert shared.shared_by == consultant
    assert shared.parts == ["summary", "plan"]
    page = client.get(client_record.get_absolute_url()).text
    assert "Gedeeld met" in page
    assert "Sociaal team Woerden" in page
    assert "met toestemming van de inwoner (schriftelijk" in page


def test_a_share_on_a_legal_task_needs_the_article_of_law(
    client, consultant, client_record, social_team
):
    client.force_login(consultant)
    data = share_data(social_team, basis="legal_task", legal_article="")
    response = client.post(reverse("trajectories:share", args=[client_record.pk]), data)
    assert response.status_code == 200
    assert "Noem het wetsartikel" in response.text
    # What was typed stays in the form.
    assert "Samen de ondersteuning thuis afstemmen." in response.text
    assert not Share.objects.exists()


def test_a_share_on_consent_needs_how_and_when_and_no_date_ahead(
    client, consultant, client_record, social_team
):
    client.force_login(consultant)
    url = reverse("trajectories:share", args=[client_record.pk])
    response = client.post(url, share_data(social_team, consent_form="", consent_given_on=""))
    assert "Geef aan hoe de inwoner toestemming gaf." in response.text
    assert "Geef aan wanneer de inwoner toestemming gaf." in response.text
    future = (date.today() + timedelta(days=3)).isoformat()
    response = client.post(url, share_data(social_team, consent_given_on=future))
    assert "Toestemming kan niet in de toekomst gegeven zijn." in response.text
    response = client.post(url, share_data(social_team, parts=[]))
    assert response.status_code == 200
    # One message for the missing parts, not "required" and "choose the parts" both.
    parts_errors = response.context["form"].errors["parts"]
    assert parts_errors == ["Kies de onderdelen van de casus die u deelt."]
    past = (date.today() - timedelta(days=1)).isoformat()
    response = client.post(url, share_data(social_team, valid_until=past))
    assert "Delen kan niet in het verleden eindigen." in response.text
    assert not Share.objects.exists()


def test_a_case_cannot_be_shared_with_an_organisation_outside_the_municipality(
    client, consultant, client_record, other_municipality
):
    elsewhere = factories.make_organisation(
        "Sociaal team Oudewater", OrganisationKind.SOCIAL_TEAM, [other_municipality]
    )
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:share", args=[client_record.pk]), share_data(elsewhere)
    )
    assert response.status_code == 200
    assert not Share.objects.exists()


def test_the_social_team_sees_only_the_shared_parts_with_a_masked_bsn(
    client, social_team_member, client_record, social_team
):
    factories.make_full_cycle(client_record)
    factories.make_share(client_record, social_team, parts=["summary", "plan"])
    client.force_login(social_team_member)
    listing = client.get(reverse("trajectories:shared")).text
    assert "Dijk, Fenna van" in listing
    assert client_record.masked_bsn in listing
    assert client_record.bsn not in listing
    page = client.get(client_record.get_absolute_url())
    assert page.status_code == 200
    text = page.text
    assert "Plan van aanpak" in text
    assert client_record.bsn not in text
    assert client_record.masked_bsn in text
    # Not shared: the assessment and the placements.
    assert 'id="assessment-heading"' not in text
    assert 'id="placements-heading"' not in text
    # A social team does not work the cycle itself.
    assert reverse("trajectories:intake", args=[client_record.pk]) not in text


def test_the_social_team_timeline_leaves_out_the_parts_not_shared(
    client, social_team_member, client_record, social_team
):
    factories.make_full_cycle(client_record)
    factories.make_share(client_record, social_team, parts=["summary"])
    client.force_login(social_team_member)
    text = client.get(reverse("trajectories:timeline", args=[client_record.pk])).text
    assert "Ingeschreven in fermwerk" in text
    assert "Voorgesteld:" not in text  # placements
    assert "Diagnose: categorie" not in text


def test_a_withdrawn_or_expired_share_closes_the_case_again(
    client, consultant, social_team_member, client_record, social_team
):
    shared = factories.make_share(client_record, social_team)
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:withdraw_share", args=[client_record.pk, shared.pk])
    )
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.withdrawn_by == consultant
    client.force_login(social_team_member)
    assert client.get(client_record.get_absolute_url()).status_code == 404
    assert "Dijk" not in client.get(reverse("trajectories:shared")).text

    factories.make_share(client_record, social_team, valid_until=date.today())
    assert client.get(client_record.get_absolute_url()).status_code == 200
    Share.objects.update(valid_until=date.today() - timedelta(days=1))
    assert client.get(client_record.get_absolute_url()).status_code == 404


def test_the_social_team_adds_a_case_conference_attributed_to_its_organisation(
    client, consultant, social_team_member, client_record, social_team
):
    factories.make_share(client_record, social_team, parts=["summary"])
    client.force_login(social_team_member)
    url = reverse("trajectories:note", args=[client_record.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "conference",
            "happened_on": date.today().isoformat(),
            "text": "Afspraken over de dagbesteding.",
            "participants": "",
        },
    )
    assert "Noem wie aan het casusoverleg deelnam." in response.text
    response = client.post(
        url,
        {
            "kind": "conference",
            "happened_on": date.today().isoformat(),
            "text": "Afspraken over de dagbesteding.",
            "participants": "Sanne (sociaal team), Fenna, klantmanager",
        },
    )
    assert response.status_code == 302
    note = CaseNote.objects.get()
    assert note.author == social_team_member
    assert note.organisation == social_team
    # The notes part is not shared, yet the team sees its own note; the consultant sees it too.
    timeline = reverse("trajectories:timeline", args=[client_record.pk])
    assert "Afspraken over de dagbesteding." in client.get(timeline).text
    client.force_login(consultant)
    text = client.get(timeline).text
    assert "Afspraken over de dagbesteding." in text
    assert "Sociaal team Woerden" in text


def test_the_social_team_does_not_see_notes_of_others_when_notes_are_not_shared(
    client, consultant, social_team_member, client_record, social_team
):
    CaseNote(
        client=client_record,
        happened_on=date.today(),
        text="Vertrouwelijke notitie van de klantmanager.",
        author=consultant,
    ).record()
    factories.make_share(client_record, social_team, parts=["summary"])
    client.force_login(social_team_member)
    timeline = reverse("trajectories:timeline", args=[client_record.pk])
    assert "Vertrouwelijke notitie" not in client.get(timeline).text
    Share.objects.update(parts=["summary", "notes"])
    assert "Vertrouwelijke notitie" in client.get(timeline).text


def test_the_social_team_cannot_work_the_cycle_of_a_shared_case(
    client, social_team_member, client_record, social_team
):
    factories.make_share(client_record, social_team, parts=["summary", "plan", "placements"])
    client.force_login(social_team_member)
    for name in ["intake", "diagnosis", "goal", "propose", "edit", "share"]:
        response = client.get(reverse(f"trajectories:{name}", args=[client_record.pk]))
        assert response.status_code == 404, name


def referral_data(municipality, bsn, **changes):
    data = {
        "first_name": "Ali",
        "name_prefix": "",
        "last_name": "Yilmaz",
        "date_of_birth": "1990-04-02",
        "bsn": bsn,
        "municipality": municipality.pk,
        "question": "Wil graag aan het werk, heeft hulp nodig bij de eerste stap.",
        "consent_form": "written",
        "consent_given_on": date.today().isoformat(),
        "consent": "on",
    }
    data.update(changes)
    return data


def test_a_referral_lands_as_a_new_resident_in_intake_with_the_referral_on_the_timeline(
    client, consultant, social_team_member, municipality, werkbedrijf
):
    client.force_login(social_team_member)
    bsn = factories.next_bsn()
    response = client.post(reverse("trajectories:refer"), referral_data(municipality, bsn))
    assert response.status_code == 302
    referral = Referral.objects.get()
    resident = referral.client
    assert resident.bsn == bsn
    assert resident.consultant is None
    assert Case.objects.get(pk=resident.pk).stage == Stage.INTAKE
    assert referral.referred_by == social_team_member
    # The werkbedrijf finds the resident and the question on the timeline.
    client.force_login(consultant)
    assert "Yilmaz" in client.get(reverse("trajectories:list")).text
    timeline = client.get(reverse("trajectories:timeline", args=[resident.pk])).text
    assert "Aangemeld door Sociaal team Woerden" in timeline
    assert "heeft hulp nodig bij de eerste stap" in timeline


def test_a_referral_of_a_known_resident_joins_their_file_without_saying_so(
    client, social_team_member, client_record, municipality
):
    client.force_login(social_team_member)
    response = client.post(
        reverse("trajectories:refer"), referral_data(municipality, client_record.bsn), follow=True
    )
    assert Referral.objects.get().client == client_record
    # Nothing tells the team the werkbedrijf knew this person already.
    assert "al ingeschreven" not in response.text
    assert "De aanmelding van" in response.text


def test_a_referral_needs_consent_and_a_valid_bsn(client, social_team_member, municipality):
    client.force_login(social_team_member)
    data = referral_data(municipality, "123456789")
    del data["consent"]
    response = client.post(reverse("trajectories:refer"), data)
    assert response.status_code == 200
    assert "elfproef" in response.text
    assert "Wil graag aan het werk" in response.text  # kept
    assert not Referral.objects.exists()


def test_only_members_of_an_organisation_with_the_role_may_refer(client, consultant, manager):
    for user in (consultant, manager):
        client.force_login(user)
        assert client.get(reverse("trajectories:refer")).status_code == 404


def test_the_shared_list_is_for_those_without_access_to_all_clients(client, consultant):
    client.force_login(consultant)
    assert client.get(reverse("trajectories:shared")).status_code == 404


def test_the_client_list_is_closed_to_social_teams(client, social_team_member):
    client.force_login(social_team_member)
    assert client.get(reverse("trajectories:list")).status_code == 404
    assert client.get(reverse("home")).url == reverse("trajectories:shared")


def test_the_shared_list_and_shared_case_take_a_fixed_number_of_queries(
    client, social_team_member, social_team, municipality, django_assert_max_num_queries
):
    residents = [factories.make_client(municipality) for _ in range(12)]
    for resident in residents:
        factories.make_full_cycle(resident)
        factories.make_share(resident, social_team, parts=["summary", "plan", "placements"])
    client.force_login(social_team_member)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("trajectories:shared")).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(residents[0].get_absolute_url()).status_code == 200


def shared_names(response):
    """The residents' names on the shared list, in the order it shows them."""
    return [shared.client.last_name for shared in response.context["page_obj"]]


def test_the_shared_list_pages_through_the_residents_in_name_order(
    client, social_team_member, social_team, municipality
):
    names = [f"Naam{number:02d}" for number in range(PAGE_SIZE + 5)]
    # Shared in another order than the names', so the list's order is its own.
    for name in reversed(names):
        factories.make_share(factories.make_client(municipality, last_name=name), social_team)
    client.force_login(social_team_member)
    first = client.get(reverse("trajectories:shared"))
    second = client.get(reverse("trajectories:shared"), {"page": 2})
    assert shared_names(first) == names[:PAGE_SIZE]
    assert shared_names(second) == names[PAGE_SIZE:]
    assert "30 gedeelde casussen" in first.text
    assert "?page=2" in first.text


def test_the_shared_list_shows_the_active_shares_of_the_members_organisations_only(
    client, social_team_member, social_team, municipality, consultant
):
    other_team = factories.make_organisation(
        "Sociaal team Kamerik", OrganisationKind.SOCIAL_TEAM, [municipality]
    )
    for name, team in [("Eigen", social_team), ("Ander", other_team)]:
        factories.make_share(factories.make_client(municipality, last_name=name), team)
    factories.make_share(
        factories.make_client(municipality, last_name="Verlopen"),
        social_team,
        valid_until=date.today(),
    )
    Share.objects.filter(client_last_name="Verlopen").update(
        valid_until=date.today() - timedelta(days=1)
    )
    factories.make_share(
        factories.make_client(municipality, last_name="Ingetrokken"), social_team
    ).withdraw(consultant)
    client.force_login(social_team_member)
    assert shared_names(client.get(reverse("trajectories:shared"))) == ["Eigen"]
    # A member of both teams sees the shares of both, in one name order.
    Membership.objects.create(user=social_team_member, organisation=other_team)
    assert shared_names(client.get(reverse("trajectories:shared"))) == ["Ander", "Eigen"]


def test_a_renamed_resident_moves_to_their_new_place_in_the_shared_list(
    client, consultant, social_team_member, social_team, municipality
):
    for name in ["Bakker", "Claes"]:
        resident = factories.make_client(municipality, consultant, last_name=name)
        factories.make_share(resident, social_team)
    client.force_login(consultant)
    url = reverse("trajectories:edit", args=[resident.pk])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    assert client.post(url, data | {"last_name": "Aalbers"}).status_code == 302
    assert resident.shares.get().client_last_name == "Aalbers"
    client.force_login(social_team_member)
    assert shared_names(client.get(reverse("trajectories:shared"))) == ["Aalbers", "Bakker"]


def test_a_share_keeps_the_name_its_resident_is_saved_with(client_record, social_team):
    shared = factories.make_share(client_record, social_team)
    assert (shared.client_last_name, shared.client_first_name) == ("Dijk", "Fenna")
    client_record.first_name = "Femke"
    client_record.save(update_fields=["first_name"])
    shared.refresh_from_db()
    assert (shared.client_last_name, shared.client_first_name) == ("Dijk", "Femke")


def test_a_waiting_list_names_no_resident_to_a_social_team(
    client, social_team_member, client_record, social_team, municipality
):
    full = factories.make_provision(name="Vol", municipality=municipality, capacity_places=0)
    factories.make_plan_ready(client_record)
    Placement.propose(client_record, full, on=date.today())
    assert full.placements.waiting_list().count() == 1
    factories.make_share(client_record, social_team, parts=["summary"])
    client.force_login(social_team_member)
    response = client.get(reverse("trajectories:waiting_list", args=[full.pk]))
    assert response.status_code == 200
    assert "Dijk" not in response.text
