"""The change history of a resident's file: field by field, who and when, for werkbedrijf
staff only."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from clients.models import AccessLog, LawfulBasis, Part, Share
from trajectories.models import Action, CaseNote, Category, Goal, LadderRung

from . import factories


def history_url(resident):
    return reverse("trajectories:history", args=[resident.pk])


def edit_personal_details(http, resident, **changes):
    """Post the personal details form with these fields changed, as the logged-in user."""
    url = reverse("trajectories:edit", args=[resident.pk])
    form = http.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {"date_of_birth": resident.date_of_birth.isoformat(), **changes}
    response = http.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    return response


@pytest.fixture
def action(client_record):
    """An open action in the resident's plan of action."""
    factories.make_plan_ready(client_record)
    goal = Goal.objects.create(plan=client_record.plans.get(), description="Structuur in de week")
    return Action.objects.create(
        goal=goal, description="Bellen met de buurthuis", responsible="Sanne"
    )


@pytest.fixture
def shared_with_social_team(client_record, social_team):
    return Share.objects.create(
        client=client_record,
        organisation=social_team,
        basis=LawfulBasis.CONSENT,
        consent_form="written",
        consent_given_on=date.today(),
        purpose="Samen de schulden aanpakken",
        parts=[Part.SUMMARY, Part.PLAN],
        valid_until=date.today() + timedelta(days=30),
    )


def changes_on(response):
    return [
        (change.record, change.field, change.old, change.new, str(change.by))
        for change in response.context["page_obj"]
    ]


def test_the_history_shows_changed_personal_details_with_old_and_new_values(
    client, consultant, client_record, werkbedrijf, other_municipality
):
    werkbedrijf.municipalities.add(other_municipality)
    client.force_login(consultant)
    edit_personal_details(
        client, client_record, last_name="Jansen", municipality=other_municipality.pk
    )
    response = client.get(history_url(client_record))
    assert response.status_code == 200
    changes = changes_on(response)
    who = str(consultant)
    assert ("Persoonsgegevens", "Achternaam", "Dijk", "Jansen", who) in changes
    assert ("Persoonsgegevens", "Gemeente", "Woerden", "Oudewater", who) in changes
    for text in ("Achternaam", "Dijk", "Jansen", "Gemeente", "Woerden", "Oudewater", who):
        assert text in response.text


def test_the_history_shows_a_changed_case_record_by_its_labels(
    client, consultant, client_record, action
):
    client.force_login(consultant)
    url = reverse("trajectories:action_status", args=[client_record.pk, action.pk])
    data = {"status": Action.Status.DONE, "seen_status": Action.Status.OPEN}
    assert client.post(url, data).status_code == 302
    response = client.get(history_url(client_record))
    record = "Actie: Bellen met de buurthuis"
    assert (record, "Status", "Open", "Afgerond", str(consultant)) in changes_on(response)
    assert record in response.text and "Afgerond" in response.text


def test_the_history_names_created_and_deleted_records_newest_first(
    client, consultant, client_record
):
    note = CaseNote.objects.create(
        client=client_record,
        kind=CaseNote.Kind.CONTACT,
        happened_on=date(2026, 1, 5),
        text="Gebeld over de intake",
    )
    note.delete()
    client.force_login(consultant)
    changes = list(client.get(history_url(client_record)).context["page_obj"])
    events = [(change.record, change.event) for change in changes if change.event]
    assert events[:2] == [
        ("Contact 5 januari 2026", "verwijderd"),
        ("Contact 5 januari 2026", "aangemaakt"),
    ]
    assert events[-1] == ("Persoonsgegevens", "aangemaakt")


def test_the_history_shows_dates_as_day_month_year_and_empty_values_as_a_dash(
    client, consultant, client_record, action
):
    action.due_on = date(2026, 3, 9)
    action.save()
    client.force_login(consultant)
    changes = changes_on(client.get(history_url(client_record)))
    assert ("Actie: Bellen met de buurthuis", "Uiterlijk op", "–", "09-03-2026", "None") in changes


def test_the_history_leaves_out_saves_that_changed_nothing_shown(client, consultant, client_record):
    client_record.save()
    client.force_login(consultant)
    changes = list(client.get(history_url(client_record)).context["page_obj"])
    assert [change.event for change in changes] == ["aangemaakt"]


def test_the_history_masks_the_bsn_for_whoever_may_not_see_it(client, manager, client_record):
    old_bsn = client_record.bsn
    client_record.bsn = factories.next_bsn()
    client_record.save()
    client.force_login(manager)
    factories.give_reason(client, client_record)
    response = client.get(history_url(client_record))
    assert response.status_code == 200
    assert old_bsn not in response.text and client_record.bsn not in response.text
    assert client_record.masked_bsn in response.text


def test_a_consultant_gets_404_for_the_history_of_a_resident_not_served(
    client, consultant, client_elsewhere
):
    client.force_login(consultant)
    assert client.get(history_url(client_elsewhere)).status_code == 404


def test_a_social_team_member_gets_404_for_the_history_of_a_shared_case(
    client, social_team_member, client_record, shared_with_social_team
):
    client.force_login(social_team_member)
    response = client.get(client_record.get_absolute_url())
    assert response.status_code == 200
    assert history_url(client_record) not in response.text
    assert client.get(history_url(client_record)).status_code == 404


def test_the_case_page_links_to_the_history_for_werkbedrijf_staff(
    client, consultant, client_record
):
    client.force_login(consultant)
    response = client.get(client_record.get_absolute_url())
    assert history_url(client_record) in response.text
    assert "Wijzigingsgeschiedenis" in response.text


def test_a_visit_to_the_history_is_logged(client, consultant, client_record):
    client.force_login(consultant)
    client.get(history_url(client_record))
    logged = AccessLog.objects.filter(client=client_record)
    assert list(logged.values_list("action", "user")) == [
        (AccessLog.Action.VIEW_HISTORY, consultant.pk)
    ]


def test_a_long_history_is_paginated(client, consultant, client_record):
    for number in range(30):
        client_record.phone = f"06-{number:08d}"
        client_record.save()
    client.force_login(consultant)
    first = client.get(history_url(client_record))
    assert len(first.context["page_obj"]) == 25
    assert "?page=2" in first.text
    second = client.get(history_url(client_record), {"page": 2})
    assert second.context["page_obj"].number == 2
    assert second.context["page_obj"][-1].event == "aangemaakt"


def make_changes(resident, action, placement, users, number):
    """Change the resident's details, an action, a placement, a diagnosis and an assessment
    `number` times each, by turns of these users, and add and remove a note each time."""
    statuses = [Action.Status.DONE, Action.Status.CANCELLED, Action.Status.OPEN]
    categories = list(Category.objects.all())
    rungs = list(LadderRung.objects.all())
    diagnosis, assessment = resident.diagnoses.first(), resident.assessments.first()
    for turn in range(number):
        resident.last_name = f"Dijk {turn}"
        resident.consultant = users[turn % len(users)]
        resident.save()
        action.status = statuses[turn % len(statuses)]
        action.due_on = date(2026, 4, 1) + timedelta(days=turn)
        action.save()
        placement.reevaluation_due_on = date(2026, 7, 1) + timedelta(days=turn)
        placement.save()
        diagnosis.category = categories[turn % len(categories)]
        diagnosis.save()
        assessment.current_rung = rungs[turn % len(rungs)]
        assessment.save()
        note = CaseNote.objects.create(
            client=resident, happened_on=date(2026, 1, 5), text=f"Notitie {turn}"
        )
        note.delete()


@pytest.mark.parametrize("number", [3, 30])
def test_the_history_takes_a_fixed_number_of_queries(
    client,
    consultant,
    manager,
    client_record,
    action,
    municipality,
    number,
    django_assert_max_num_queries,
):
    placement = factories.make_full_cycle(
        client_record, factories.make_provision(municipality=municipality)
    )
    make_changes(client_record, action, placement, [consultant, manager], number)
    client.force_login(consultant)
    # The changes may have moved the file to another consultant's caseload.
    factories.give_reason(client, client_record)
    with django_assert_max_num_queries(28):
        response = client.get(history_url(client_record))
    assert response.status_code == 200
