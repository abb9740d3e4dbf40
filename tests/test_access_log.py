"""The access log (NEN 7513): who saw which resident, when, in which role and why; append-only
in PostgreSQL. And the rules that write it: break the glass, the limit on full-BSN searches."""

from datetime import date, timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from clients.models import AccessLog
from partners.models import Role
from trajectories.views import BSN_SEARCHES_PER_HOUR

from . import factories

pytestmark = pytest.mark.django_db


def actions(**filters):
    return list(AccessLog.objects.filter(**filters).values_list("action", flat=True))


def test_opening_a_case_is_logged_with_role_and_organisation(client, consultant, client_record):
    client.force_login(consultant)
    client.get(client_record.get_absolute_url())
    entry = AccessLog.objects.get(client=client_record)
    assert entry.action == AccessLog.Action.VIEW_CASE
    assert entry.user == consultant
    assert entry.role == Role.CONSULTANT
    assert entry.organisation == "Ferm Werk"


def test_the_timeline_page_is_logged_but_not_its_fragment_on_the_case_page(
    client, consultant, client_record
):
    client.force_login(consultant)
    url = reverse("trajectories:timeline", args=[client_record.pk])
    client.get(url, headers={"HX-Request": "true"})
    assert actions(client=client_record) == []
    client.get(url)
    assert actions(client=client_record) == [AccessLog.Action.VIEW_TIMELINE]


def test_a_search_logs_each_resident_it_shows(client, consultant, client_record, municipality):
    other = factories.make_client(municipality, consultant, last_name="Dijkstra")
    client.force_login(consultant)
    client.get(reverse("trajectories:list"), {"q": "dijk"})
    logged = AccessLog.objects.filter(action=AccessLog.Action.SEARCH)
    assert set(logged.values_list("client", flat=True)) == {client_record.pk, other.pk}
    assert set(logged.values_list("detail", flat=True)) == {"dijk"}
    # Browsing the list without a search is not a search.
    client.get(reverse("trajectories:list"))
    assert logged.count() == 2


def test_the_duplicate_bsn_message_is_logged(client, consultant, client_record, municipality):
    client.force_login(consultant)
    data = {
        "first_name": "Fenna",
        "last_name": "Dijk",
        "bsn": client_record.bsn,
        "date_of_birth": "1980-01-01",
        "municipality": municipality.pk,
        "consultant": consultant.pk,
    }
    client.post(reverse("trajectories:register"), data)
    assert actions(client=client_record) == [AccessLog.Action.DUPLICATE_BSN]


def test_the_duplicate_bsn_of_a_resident_elsewhere_is_logged_too(
    client, consultant, client_elsewhere, municipality
):
    client.force_login(consultant)
    data = {
        "first_name": "Otto",
        "last_name": "Elders",
        "bsn": client_elsewhere.bsn,
        "date_of_birth": "1980-01-01",
        "municipality": municipality.pk,
        "consultant": consultant.pk,
    }
    response = client.post(reverse("trajectories:register"), data)
    assert "gemeente die u niet bedient" in response.text
    assert actions(client=client_elsewhere) == [AccessLog.Action.DUPLICATE_BSN]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger lives in PostgreSQL")
def test_the_log_is_append_only_in_postgresql(consultant, client_record):
    AccessLog.objects.record(consultant, AccessLog.Action.VIEW_CASE, clients=[client_record])
    entry = AccessLog.objects.get()
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).update(reason="covered up")
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM clients_accesslog")
    assert AccessLog.objects.get().reason == ""


def test_deleting_a_resident_keeps_their_log(client, administrator, client_record, consultant):
    AccessLog.objects.record(consultant, AccessLog.Action.VIEW_CASE, clients=[client_record])
    pk = client_record.pk
    client_record.delete()
    assert AccessLog.objects.get().client_id == pk


# Break the glass


@pytest.fixture
def colleague(werkbedrijf):
    return factories.make_user(Role.CONSULTANT, werkbedrijf, username="collega")


def test_opening_a_file_outside_the_caseload_asks_for_a_reason_first(
    client, colleague, client_record
):
    client.force_login(colleague)
    response = client.get(client_record.get_absolute_url())
    reason_url = reverse("trajectories:open_with_reason", args=[client_record.pk])
    assert response.status_code == 302
    assert response.url.startswith(reason_url)
    assert actions(client=client_record) == []
    page = client.get(response.url)
    assert "Waarom opent u dit dossier?" in page.text
    # Too short a reason is refused next to the field.
    response = client.post(response.url, {"reason": "even"})
    assert response.status_code == 200
    assert not AccessLog.objects.exists()
    response = factories.give_reason(client, client_record, "Vervanging van Karin tijdens verlof.")
    assert response.url == client_record.get_absolute_url()
    entry = AccessLog.objects.get(action=AccessLog.Action.BREAK_GLASS)
    assert entry.reason == "Vervanging van Karin tijdens verlof."
    # Once said, the reason covers the session's further visits.
    assert client.get(client_record.get_absolute_url()).status_code == 200
    assert client.get(reverse("trajectories:intake", args=[client_record.pk])).status_code == 200


def test_an_htmx_request_outside_the_caseload_is_sent_to_the_reason_page(
    client, colleague, client_record
):
    client.force_login(colleague)
    response = client.get(
        reverse("trajectories:timeline", args=[client_record.pk]),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/clienten/"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(
        reverse("trajectories:open_with_reason", args=[client_record.pk])
    )


def test_the_reason_page_sends_only_to_this_site(client, colleague, client_record):
    client.force_login(colleague)
    url = reverse("trajectories:open_with_reason", args=[client_record.pk])
    response = client.post(
        url, {"reason": "Vraag van de inwoner aan de balie.", "next": "https://evil.example/"}
    )
    assert response.url == client_record.get_absolute_url()


def test_own_and_unassigned_files_open_without_a_reason(
    client, consultant, colleague, client_record, municipality
):
    client.force_login(consultant)
    assert client.get(client_record.get_absolute_url()).status_code == 200
    unassigned = factories.make_client(municipality)
    client.force_login(colleague)
    assert client.get(unassigned.get_absolute_url()).status_code == 200


def test_a_manager_gives_a_reason_and_sees_it_in_the_log(client, manager, client_record):
    client.force_login(manager)
    assert client.get(client_record.get_absolute_url()).status_code == 302
    factories.give_reason(client, client_record, "Kwaliteitscontrole van de dossiers.")
    assert client.get(client_record.get_absolute_url()).status_code == 200
    log = client.get(reverse("access_log"), {"action": "break_glass"}).text
    assert "Kwaliteitscontrole van de dossiers." in log


# Full-BSN searches by users who may not see BSNs


def test_a_managers_full_bsn_search_is_logged_as_such_and_limited(client, manager, client_record):
    client.force_login(manager)
    for _ in range(BSN_SEARCHES_PER_HOUR):
        response = client.get(reverse("trajectories:list"), {"q": client_record.bsn})
        assert "Dijk, Fenna van" in response.text
    logged = AccessLog.objects.filter(action=AccessLog.Action.BSN_SEARCH)
    assert logged.count() == BSN_SEARCHES_PER_HOUR
    assert set(logged.values_list("detail", flat=True)) == {client_record.masked_bsn}
    response = client.get(reverse("trajectories:list"), {"q": client_record.bsn})
    assert "Dijk, Fenna van" not in response.text
    assert "het hoogste aantal" in response.text
    # A search by name still works, and an hour later a BSN search does too.
    assert "Dijk, Fenna van" in client.get(reverse("trajectories:list"), {"q": "dijk"}).text


def test_a_managers_search_by_date_of_birth_is_no_bsn_search(client, manager, client_record):
    # A date has eight digits, as a BSN without its leading zero has: it stays a date.
    born = client_record.date_of_birth.strftime("%d-%m-%Y")
    client.force_login(manager)
    for _ in range(BSN_SEARCHES_PER_HOUR + 1):
        response = client.get(reverse("trajectories:list"), {"q": born})
    assert "Dijk, Fenna van" in response.text
    assert not AccessLog.objects.filter(action=AccessLog.Action.BSN_SEARCH).exists()


def test_the_bsn_limit_counts_only_the_past_hour(client, manager, client_record):
    client.force_login(manager)
    hour_ago = timezone.now() - timedelta(hours=1, minutes=1)
    for _ in range(BSN_SEARCHES_PER_HOUR):
        AccessLog.objects.create(
            user=manager, username="manager", action=AccessLog.Action.BSN_SEARCH, at=hour_ago
        )
    response = client.get(reverse("trajectories:list"), {"q": client_record.bsn})
    assert "Dijk, Fenna van" in response.text


def test_a_consultants_bsn_search_is_not_limited(client, consultant, client_record):
    client.force_login(consultant)
    for _ in range(BSN_SEARCHES_PER_HOUR + 2):
        response = client.get(reverse("trajectories:list"), {"q": client_record.bsn})
    assert "Dijk, Fenna van" in response.text


# The log's pages


def test_the_case_page_shows_who_looked_at_the_file(client, consultant, manager, client_record):
    client.force_login(manager)
    factories.give_reason(client, client_record, "Kwaliteitscontrole van de dossiers.")
    client.force_login(consultant)
    text = client.get(client_record.get_absolute_url()).text
    assert "Wie heeft dit dossier bekeken" in text
    assert "Kwaliteitscontrole van de dossiers." in text


def test_managers_search_the_log_by_resident_user_and_period(
    client, manager, consultant, client_record, municipality
):
    other = factories.make_client(municipality, consultant, last_name="Anders")
    AccessLog.objects.record(consultant, AccessLog.Action.VIEW_CASE, clients=[client_record])
    AccessLog.objects.record(consultant, AccessLog.Action.VIEW_CASE, clients=[other])
    old = AccessLog.objects.create(
        user=manager,
        username="manager",
        client=client_record,
        action=AccessLog.Action.VIEW_CASE,
        at=timezone.now() - timedelta(days=40),
    )
    client.force_login(manager)
    url = reverse("access_log")
    by_resident = client.get(url, {"resident": "dijk"}).context["page_obj"].object_list
    assert {entry.client_id for entry in by_resident} == {client_record.pk}
    assert len(by_resident) == 2
    by_user = client.get(url, {"user": manager.pk}).context["page_obj"].object_list
    assert [entry.pk for entry in by_user] == [old.pk]
    since = (date.today() - timedelta(days=7)).isoformat()
    recent = client.get(url, {"since": since}).context["page_obj"].object_list
    assert old.pk not in {entry.pk for entry in recent}
    response = client.get(url, {"since": "2026-12-31", "until": "2026-01-01"})
    assert "Het einde van de periode ligt voor het begin." in response.text


def test_the_log_exports_as_csv_and_the_export_is_logged(
    client, manager, consultant, client_record
):
    AccessLog.objects.record(
        consultant, AccessLog.Action.BREAK_GLASS, clients=[client_record], reason="Vervanging"
    )
    client.force_login(manager)
    response = client.get(reverse("access_log_csv"), {"action": "break_glass"})
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    assert "Vervanging" in body
    assert str(client_record.pk) in body
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT_CSV, user=manager).exists()


@pytest.mark.parametrize("fixture", ["consultant", "social_team_member"])
def test_the_log_is_closed_to_consultants_and_social_teams(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(reverse("access_log")).status_code == 404
    assert client.get(reverse("access_log_csv")).status_code == 404


def test_the_log_page_takes_a_fixed_number_of_queries(
    client, manager, consultant, municipality, django_assert_max_num_queries
):
    residents = [factories.make_client(municipality, consultant) for _ in range(55)]
    AccessLog.objects.record(consultant, AccessLog.Action.VIEW_CASE, clients=residents)
    client.force_login(manager)
    with django_assert_max_num_queries(11):
        first = client.get(reverse("access_log"))
    # A page reads its own rows: the second page shows the five the first did not.
    second = client.get(reverse("access_log"), {"page": 2})
    shown = [list(page.context["page_obj"].object_list) for page in (first, second)]
    assert [len(rows) for rows in shown] == [50, 5]
    assert {row.client for row in shown[0] + shown[1]} == set(residents)
    assert first.context["page_obj"].paginator.count == 55


def test_opening_a_resident_or_a_record_in_the_admin_is_logged(
    client, administrator, client_record
):
    placement = factories.make_full_cycle(client_record)
    client.force_login(administrator)
    assert (
        client.get(reverse("admin:clients_client_change", args=[client_record.pk])).status_code
        == 200
    )
    url = reverse("admin:trajectories_placement_change", args=[placement.pk])
    assert client.get(url).status_code == 200
    assert actions(client=client_record) == [AccessLog.Action.VIEW_ADMIN] * 2


def test_a_step_opened_as_a_page_of_its_own_is_logged_but_not_as_a_fragment(
    client, consultant, client_record
):
    client.force_login(consultant)
    url = reverse("trajectories:intake", args=[client_record.pk])
    client.get(url, headers={"HX-Request": "true"})
    assert actions(client=client_record) == []
    client.get(url)
    entry = AccessLog.objects.get(client=client_record)
    assert (entry.action, entry.detail) == (AccessLog.Action.VIEW_CASE, "intake")


def test_a_search_in_the_admin_logs_the_residents_it_shows(client, administrator, client_record):
    client.force_login(administrator)
    client.get(reverse("admin:clients_client_changelist"), {"q": "dijk"})
    entry = AccessLog.objects.get(client=client_record)
    assert (entry.action, entry.detail) == (AccessLog.Action.SEARCH, "dijk")
    client.get(reverse("admin:clients_client_changelist"))
    assert AccessLog.objects.count() == 1
