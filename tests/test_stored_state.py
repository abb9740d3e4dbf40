"""The stored case state as lists, filters, the admin and the rebuild command see it, and the
bounds on what a user can type."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from clients.models import Client
from provisions.models import Provision
from trajectories.models import Case, CaseCount, CaseNote, CountKey, Placement, Stage

from . import factories
from .factories import stage_of


def ago(days):
    return date.today() - timedelta(days=days)


@pytest.fixture
def first_in_line(municipality, consultant, client_record):
    """The consultant's resident, first on the waiting list of a provision whose only place
    has just come free."""
    other = factories.make_client(municipality, consultant, last_name="Bezet")
    for resident in (other, client_record):
        factories.make_plan_ready(resident, on=ago(30))
    provision = factories.make_provision(capacity_places=1, municipality=municipality)
    holding = Placement.propose(other, provision, ago(10))
    Placement.propose(client_record, provision, ago(9))
    holding.end(date.today(), Placement.EndReason.CLIENT_STOPPED)
    return client_record


def test_the_caseload_signals_a_free_place_for_the_first_in_line(client, consultant, first_in_line):
    client.force_login(consultant)
    page = client.get(reverse("trajectories:mine")).text
    row = page[page.index("Dijk, Fenna van") :]
    row = row[: row.index("</tr>")]
    assert "De vrije plek aanbieden" in row
    assert "plek vrij" in row
    assert "row--attention" in page[: page.index("Dijk, Fenna van")].rsplit("<tr", 1)[1]


def test_the_attention_filter_finds_the_free_place_and_not_the_rest(
    client, consultant, first_in_line, municipality
):
    factories.make_client(municipality, consultant, last_name="Rustig")
    client.force_login(consultant)
    page = client.get(reverse("trajectories:mine"), {"attention": "on"}).text
    assert "Dijk, Fenna van" in page
    assert "Rustig" not in page
    assert "Bezet" not in page


def test_the_case_page_offers_the_free_place_to_the_first_in_line(
    client, consultant, first_in_line
):
    client.force_login(consultant)
    placement = first_in_line.placements.get()
    page = client.get(first_in_line.get_absolute_url()).text
    offer = reverse("trajectories:offer", args=[first_in_line.pk, placement.pk])
    # The first step offered, and again beside the placement.
    next_step = page[page.index('id="next-step-heading"') : page.index("</section>")]
    assert f'href="{offer}"' in next_step and "De vrije plek aanbieden</a>" in next_step
    assert page.count(f'href="{offer}"') == 2
    assert "nummer 1" in page


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"stage": Stage.REEVALUATION}, {"Geplaatst"}),
        ({"stage": Stage.INTAKE}, {"Nieuw"}),
        ({"category": 3}, {"Geplaatst"}),
        ({"chain_step": 1}, {"Geplaatst"}),
        ({"chain_step": 2}, set()),
    ],
)
def test_the_list_filters_read_the_stored_case_state(
    client, consultant, municipality, filters, expected
):
    placed = factories.make_client(municipality, consultant, last_name="Geplaatst")
    factories.make_full_cycle(placed, on=ago(20))
    factories.make_client(municipality, consultant, last_name="Nieuw")
    client.force_login(consultant)
    page = client.get(reverse("trajectories:list"), filters).text
    assert {name for name in ("Geplaatst", "Nieuw") if f">{name}, Test<" in page} == expected


def test_the_caseload_with_filters_takes_a_fixed_number_of_queries(
    client, consultant, municipality, django_assert_max_num_queries
):
    for number in range(30):
        resident = factories.make_client(municipality, consultant)
        if number % 2:
            factories.make_full_cycle(resident, on=ago(400))
    client.force_login(consultant)
    with django_assert_max_num_queries(12):
        response = client.get(
            reverse("trajectories:mine"), {"attention": "on", "stage": "reevaluation"}
        )
    assert response.text.count("row--attention") == 15
    # Counted from the cases alone, the same number the list shows.
    assert "15 cliënten" in response.text


def test_a_renamed_resident_moves_to_their_new_place_in_the_caseload(
    client, consultant, municipality
):
    for name in ["Bakker", "Claes"]:
        resident = factories.make_client(municipality, consultant, last_name=name)
    client.force_login(consultant)
    url = reverse("trajectories:edit", args=[resident.pk])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    assert client.post(url, data | {"last_name": "Aalbers"}).status_code == 302
    case = Case.objects.get(pk=resident.pk)
    assert (case.last_name, case.first_name) == ("Aalbers", "Test")
    for filters in [{}, {"stage": Stage.INTAKE}]:
        page = client.get(reverse("trajectories:mine"), filters).context["page_obj"]
        assert [shown.last_name for shown in page] == ["Aalbers", "Bakker"], filters


def test_rebuild_cases_derives_the_state_anew(client_record, provision):
    factories.make_full_cycle(client_record, provision=provision, on=ago(20))
    Case.objects.filter(pk=client_record.pk).update(stage=Stage.INTAKE, category=None)
    Provision.objects.filter(pk=provision.pk).update(occupied_places=7)
    unregistered = Client.objects.create(
        first_name="Zonder",
        last_name="Casus",
        bsn=factories.next_bsn(),
        date_of_birth=date(1990, 1, 1),
        municipality=client_record.municipality,
    )
    Case.objects.filter(pk=unregistered.pk).delete()

    call_command("rebuild_cases", stdout=StringIO())

    case = Case.objects.get(pk=client_record.pk)
    assert case.stage == Stage.REEVALUATION and case.category.number == 3
    assert Provision.objects.get(pk=provision.pk).occupied_places == 1
    assert stage_of(unregistered) == Stage.INTAKE


def test_registering_a_resident_opens_their_case(client, consultant, municipality):
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:register"),
        {
            "first_name": "Nina",
            "last_name": "Nieuw",
            "bsn": factories.next_bsn(),
            "date_of_birth": "1990-05-01",
            "municipality": municipality.pk,
            "consultant": consultant.pk,
        },
    )
    assert response.status_code == 302
    resident = Client.objects.get(last_name="Nieuw")
    assert stage_of(resident) == Stage.INTAKE


def test_a_resident_added_in_the_admin_gets_a_case(client, administrator, municipality):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:clients_client_add"),
        {
            "first_name": "Adam",
            "last_name": "Beheer",
            "bsn": factories.next_bsn(),
            "date_of_birth": "1990-05-01",
            "municipality": municipality.pk,
        },
    )
    assert response.status_code == 302
    assert stage_of(Client.objects.get(last_name="Beheer")) == Stage.INTAKE


def test_a_capacity_raised_in_the_admin_frees_a_place_for_the_first_in_line(
    client, administrator, municipality, consultant, client_record
):
    other = factories.make_client(municipality, consultant)
    for resident in (other, client_record):
        factories.make_plan_ready(resident, on=ago(30))
    provision = factories.make_provision(capacity_places=1, municipality=municipality)
    Placement.propose(other, provision, ago(10))
    Placement.propose(client_record, provision, ago(9))
    assert not Case.objects.get(pk=client_record.pk).place_offerable

    client.force_login(administrator)
    url = reverse("admin:provisions_provision_change", args=[provision.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {"capacity_places": 2, "provider": provision.provider_id}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert Case.objects.get(pk=client_record.pk).place_offerable


# What a user can type is bounded, with a message next to the field; nothing breaks.


def test_a_search_of_a_thousand_words_is_refused_with_a_message(client, consultant, client_record):
    client.force_login(consultant)
    query = {"q": " ".join(["fenna"] * 1000)}
    response = client.get(reverse("trajectories:list"), query)
    assert response.status_code == 200
    assert "niet meer dan 100 tekens" in response.text
    assert "Dijk, Fenna van" not in response.text
    # Typed into the search box, HTMX swaps only the results: they say it too.
    fragment = client.get(reverse("trajectories:list"), query, headers={"HX-Request": "true"})
    assert "niet meer dan 100 tekens" in fragment.text


def test_a_search_of_six_words_is_refused_and_five_are_fine(client, consultant, client_record):
    client.force_login(consultant)
    six = client.get(reverse("trajectories:list"), {"q": "fenna van dijk a b c"})
    assert "Zoek met hoogstens 5 woorden." in six.text
    assert "Dijk, Fenna van" not in six.text
    five = client.get(reverse("trajectories:list"), {"q": "fenna van dijk fenna dijk"})
    assert "Dijk, Fenna van" in five.text


def test_a_note_too_long_is_refused_next_to_the_field_and_kept(client, consultant, client_record):
    client.force_login(consultant)
    text = "Lang verhaal. " * 1000
    response = client.post(
        reverse("trajectories:note", args=[client_record.pk]),
        {"kind": "note", "happened_on": date.today().isoformat(), "text": text},
    )
    assert response.status_code == 200
    assert "niet meer dan 5000 tekens" in response.text
    assert text.strip()[:200] in response.text
    assert not CaseNote.objects.exists()


def test_the_database_refuses_a_text_longer_than_its_limit(client_record):
    note = CaseNote(client=client_record, happened_on=date.today(), text="x" * 5001)
    with pytest.raises(IntegrityError), transaction.atomic():
        note.save()


def test_moving_a_resident_to_another_municipality_moves_the_case_and_its_count(
    client, administrator, client_record, other_municipality, municipality
):
    client.force_login(administrator)
    factories.give_reason(client, client_record)
    data = {
        "first_name": client_record.first_name,
        "name_prefix": client_record.name_prefix,
        "last_name": client_record.last_name,
        "bsn": client_record.bsn,
        "date_of_birth": client_record.date_of_birth.isoformat(),
        "municipality": other_municipality.pk,
        "version": client_record.version,
    }
    response = client.post(reverse("trajectories:edit", args=[client_record.pk]), data)
    assert response.status_code == 302
    assert Case.objects.get(pk=client_record.pk).municipality == other_municipality
    counts = CaseCount.objects.tally()
    assert counts == {
        # The form posted no consultant, so the resident has none now.
        CountKey(other_municipality.pk, None, Stage.INTAKE, None, None, None): 1
    }


def test_a_resident_removed_in_the_admin_leaves_the_counts(client, administrator, client_record):
    assert sum(CaseCount.objects.tally().values()) == 1
    client.force_login(administrator)
    url = reverse("admin:clients_client_delete", args=[client_record.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert CaseCount.objects.tally() == {}


def test_a_resident_removed_in_the_admin_leaves_the_waiting_list_and_frees_their_place(
    client, administrator, municipality, consultant, client_record
):
    waiting = factories.make_client(municipality, consultant)
    for resident in (client_record, waiting):
        factories.make_plan_ready(resident, on=ago(30))
    provision = factories.make_provision(capacity_places=1, municipality=municipality)
    Placement.propose(client_record, provision, ago(10))
    Placement.propose(waiting, provision, ago(9))
    provision.refresh_from_db()
    assert (provision.occupied_places, provision.waiting_count) == (1, 1)

    client.force_login(administrator)
    url = reverse("admin:clients_client_delete", args=[client_record.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302

    provision.refresh_from_db()
    assert (provision.occupied_places, provision.waiting_count) == (0, 1)
    assert Case.objects.get(pk=waiting.pk).place_offerable
    url = reverse("admin:clients_client_changelist")
    data = {"action": "delete_selected", "_selected_action": [waiting.pk], "post": "yes"}
    assert client.post(url, data).status_code == 302
    provision.refresh_from_db()
    assert (provision.waiting_count, provision.median_waiting_since) == (0, None)


def test_a_placement_moved_to_another_provision_in_the_admin_leaves_the_first_counted_right(
    client, administrator, municipality, client_record
):
    factories.make_plan_ready(client_record, on=ago(30))
    first = factories.make_provision(capacity_places=1, municipality=municipality)
    second = factories.make_provision(capacity_places=1, municipality=municipality)
    placement = Placement.propose(client_record, first, ago(10))
    client.force_login(administrator)
    url = reverse("admin:trajectories_placement_change", args=[placement.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {"provision": second.pk, "proposed_on": ago(10).isoformat()}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.occupied_places, second.occupied_places) == (0, 1)


def test_a_refused_search_claims_no_empty_list(client, consultant, client_record):
    client.force_login(consultant)
    query = {"q": "a b c d e f g"}
    page = client.get(reverse("trajectories:list"), query).text
    fragment = client.get(reverse("trajectories:list"), query, headers={"HX-Request": "true"}).text
    for html in (page, fragment):
        assert "Zoek met hoogstens 5 woorden." in html
        assert "die u mag zien" not in html and "0 cliënten" not in html
