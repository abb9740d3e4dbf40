"""Two consultants saving the same record: a save based on an older version is refused with
the user's input kept, never silently lost."""

import threading

import pytest
from django.db import connection
from django.test import Client as Browser
from django.urls import reverse

from clients.models import Client, StaleRecord
from partners.models import Role
from trajectories.models import Action, Goal

from . import factories

CONFLICT = "Iemand anders heeft deze gegevens gewijzigd terwijl u ze bewerkte."


@pytest.fixture
def colleague(werkbedrijf):
    """A second consultant of the same werkbedrijf: they may edit the same residents."""
    return factories.make_user(Role.CONSULTANT, werkbedrijf, username="collega")


@pytest.fixture
def sessions(client, consultant, colleague, client_record):
    """Two browsers, logged in as the two consultants; the colleague stands in for the
    resident's consultant, and said so (break the glass)."""
    other = Browser()
    client.force_login(consultant)
    other.force_login(colleague)
    factories.give_reason(other, client_record)
    return client, other


def loaded_form(session, url):
    """What the edit form posts back unchanged, as the user loaded it."""
    form = session.get(url).context["form"]
    return {name: value for name, value in form.initial.items() if value is not None}


def test_a_stale_save_is_refused_and_keeps_what_was_typed(sessions, client_record):
    a, b = sessions
    url = reverse("trajectories:edit", args=[client_record.pk])
    form_a, form_b = loaded_form(a, url), loaded_form(b, url)

    assert a.post(url, form_a | {"phone": "06-11111111"}).status_code == 302
    response = b.post(url, form_b | {"phone": "06-22222222", "city": "Harmelen"})

    assert response.status_code == 409
    assert CONFLICT in response.text
    # B's input is still in the form, beside what A stored.
    assert 'value="06-22222222"' in response.text and 'value="Harmelen"' in response.text
    assert "06-11111111" in response.text
    client_record.refresh_from_db()
    assert (client_record.phone, client_record.city) == ("06-11111111", "")
    assert client_record.version == 2


def test_a_refused_save_shows_the_stored_values_that_differ(sessions, client_record):
    a, b = sessions
    url = reverse("trajectories:edit", args=[client_record.pk])
    form_a, form_b = loaded_form(a, url), loaded_form(b, url)
    a.post(url, form_a | {"phone": "06-11111111"})

    conflicts = b.post(url, form_b | {"city": "Harmelen"}).context["form"].conflicts

    assert [(field.name, stored) for field, stored in conflicts] == [
        ("city", ""),
        ("phone", "06-11111111"),
    ]


def test_saving_again_after_the_conflict_keeps_the_second_input(sessions, client_record):
    a, b = sessions
    url = reverse("trajectories:edit", args=[client_record.pk])
    form_a, form_b = loaded_form(a, url), loaded_form(b, url)
    a.post(url, form_a | {"phone": "06-11111111"})
    refused = b.post(url, form_b | {"phone": "06-22222222"})

    # The form sent back carries the stored version: saving it again is deliberate.
    again = refused.context["form"].data.dict()
    assert again["version"] == "2"
    assert b.post(url, again).status_code == 302
    client_record.refresh_from_db()
    assert (client_record.phone, client_record.version) == ("06-22222222", 3)


def test_a_save_without_the_version_saves_nothing(client, consultant, client_record):
    client.force_login(consultant)
    url = reverse("trajectories:edit", args=[client_record.pk])
    data = loaded_form(client, url) | {"phone": "06-11111111"}
    del data["version"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Dit formulier is onvolledig" in response.text
    client_record.refresh_from_db()
    assert client_record.phone == ""


def test_a_change_made_elsewhere_makes_a_loaded_form_stale(client, consultant, client_record):
    client.force_login(consultant)
    url = reverse("trajectories:edit", args=[client_record.pk])
    data = loaded_form(client, url)
    # The administration saves without a form of ours; the version still rises.
    client_record.city = "Kamerik"
    client_record.save()
    assert client_record.version == 2
    assert client.post(url, data | {"phone": "06-11111111"}).status_code == 409


def test_the_model_refuses_a_save_based_on_an_older_version(client_record):
    first, second = Client.objects.get(pk=client_record.pk), Client.objects.get(pk=client_record.pk)
    first.phone = "06-11111111"
    first.save_checked(expected_version=1)
    second.city = "Harmelen"
    with pytest.raises(StaleRecord) as refused:
        second.save_checked(expected_version=1)
    assert refused.value.stored.phone == "06-11111111"


def test_a_stale_status_change_of_an_action_is_refused(sessions, client_record):
    factories.make_plan_ready(client_record)
    goal = Goal.objects.create(plan=client_record.plans.get(), description="Structuur")
    action = Action.objects.create(goal=goal, description="Bellen", responsible="Sanne")
    a, b = sessions
    url = reverse("trajectories:action_status", args=[client_record.pk, action.pk])

    assert a.post(url, {"status": "done", "seen_status": "open"}).status_code == 302
    response = b.post(url, {"status": "cancelled", "seen_status": "open"}, follow=True)

    assert "Iemand anders heeft de status van deze actie intussen gewijzigd" in response.text
    assert "nu “Afgerond”" in response.text
    action.refresh_from_db()
    assert action.status == "done"


# Many saves at once, each in its own connection, as PostgreSQL runs them.
THREADS = 8
SAVES_PER_THREAD = 10


# Committed for real, so the threads see each other's saves; like the browser tests, it puts
# back the seeded roles that the transactional tests before it emptied.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("restore_migrated_data")
def test_many_concurrent_saves_lose_no_update(municipality, consultant):
    resident = factories.make_client(municipality, consultant)
    start = threading.Barrier(THREADS)
    saved, refused, failures = [], [], []

    def consultant_at_work(number):
        try:
            start.wait()
            for save in range(SAVES_PER_THREAD):
                # Read, change, save with the version read; when refused, read again.
                while True:
                    current = Client.objects.get(pk=resident.pk)
                    token = f"{number}{save}"
                    current.street_address += token
                    try:
                        current.save_checked(current.version)
                    except StaleRecord:
                        refused.append(token)
                        continue
                    saved.append(token)
                    break
        except Exception as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=consultant_at_work, args=[n]) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert refused, "the saves ran at the same time: some were refused and tried again"
    resident.refresh_from_db()
    assert len(saved) == THREADS * SAVES_PER_THREAD
    assert resident.version - 1 == len(saved)
    # Every successful save's token is there, once: no update was lost.
    address = resident.street_address
    assert sorted(address[i : i + 2] for i in range(0, len(address), 2)) == sorted(saved)
