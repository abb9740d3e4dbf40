"""The resident's rights under the AVG: the inzageverzoek (everything held, as JSON and PDF),
closing a file, the retention period, and anonymisation that keeps the anonymous figures."""

import io
import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from clients.models import REMOVED, AccessLog, Client, LawfulBasis, Part, Share
from provisions.models import WorkLearningStep
from trajectories.models import (
    AbsenceReport,
    Case,
    CaseCount,
    CaseNote,
    FormDraft,
    Intake,
    Placement,
    Referral,
    Stage,
    StepReached,
)
from trajectories.privacy import anonymise, everything_held

from . import factories

NOTE = "Fenna belde: haar rug speelt weer op."
STEP_NOTE = "Fenna kookt graag voor haar moeder Anna."
ABSENCE = "Fenna mist de maandagen: dan zorgt ze voor haar moeder."
QUESTION = "Kan Fenna bij de kringloop als vrijwilliger beginnen?"
PURPOSE = "Samen werken aan het plan van aanpak"


@pytest.fixture(autouse=True)
def two_years_retention(settings):
    settings.RETENTION_YEARS = 2


@pytest.fixture
def full_file(client_record, consultant, social_team):
    """Fenna's file with every kind of record: a full cycle, a note, a referral, a share and
    a draft."""
    placement = factories.make_full_cycle(client_record)
    CaseNote(
        client=client_record, happened_on=date(2026, 1, 6), text=NOTE, author=consultant
    ).record()
    StepReached.objects.create(
        client=client_record,
        step=WorkLearningStep.objects.get(line__name="Horeca", position=1),
        reached_on=date(2026, 1, 7),
        note=STEP_NOTE,
    )
    AbsenceReport.objects.create(
        placement=placement,
        period_start=date(2026, 1, 5),
        period_end=date(2026, 1, 30),
        days_absent=4,
        pattern=ABSENCE,
    )
    Referral.objects.create(
        client=client_record,
        organisation=social_team,
        question=QUESTION,
        consent_form="written",
        consent_given_on=date(2026, 1, 2),
    )
    Share.objects.create(
        client=client_record,
        organisation=social_team,
        basis=LawfulBasis.LEGAL_TASK,
        legal_article="Participatiewet art. 7",
        purpose=PURPOSE,
        parts=[Part.PLAN],
        valid_until=date.today() + timedelta(days=30),
        shared_by=consultant,
    )
    FormDraft.objects.create(
        user=consultant, client=client_record, form_name="note", data={"text": ["Fenna wil"]}
    )
    return client_record


def close(resident, days_ago):
    resident.closed_on = date.today() - timedelta(days=days_ago)
    resident.closed_reason = Client.ClosedReason.PAID_WORK
    resident.save()
    return resident


def pdf_text(response):
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


# The inzageverzoek.


def test_the_json_export_holds_the_residents_records_and_nothing_of_another(
    client, consultant, full_file, municipality
):
    other = factories.make_client(municipality, consultant, first_name="Otto", last_name="Anders")
    CaseNote(client=other, happened_on=date(2026, 2, 1), text="Otto's eigen verhaal").record()
    client.force_login(consultant)
    response = client.get(reverse("trajectories:export_json", args=[full_file.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    held = json.loads(response.content)
    assert held["resident"][0]["first_name"] == "Fenna"
    assert held["resident"][0]["bsn"] == full_file.bsn
    assert held["intakes"][0]["what_matters"] == "Mijn kinderen"
    assert held["case_notes"][0]["text"] == NOTE
    assert held["referrals"][0]["question"] == QUESTION
    assert held["shares"][0]["purpose"] == PURPOSE
    assert held["form_drafts"][0]["data"] == {"text": ["Fenna wil"]}
    assert held["steps_reached"][0]["note"] == STEP_NOTE
    assert held["absence_reports"][0]["pattern"] == ABSENCE
    assert len(held["placements"]) == 1
    assert len(held["diagnoses"]) == 1
    assert "Otto" not in response.content.decode()


def test_the_json_export_is_logged_and_lists_itself(client, consultant, full_file):
    client.force_login(consultant)
    response = client.get(reverse("trajectories:export_json", args=[full_file.pk]))
    logged = AccessLog.objects.get(client=full_file)
    assert (logged.user, logged.action) == (consultant, AccessLog.Action.EXPORT_JSON)
    assert [row["username"] for row in json.loads(response.content)["access_log"]] == ["consulent"]


def test_the_pdf_export_is_a_pdf_with_the_name_and_the_notes(client, consultant, full_file):
    client.force_login(consultant)
    response = client.get(reverse("trajectories:export_pdf", args=[full_file.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response)
    assert "Fenna van Dijk" in text
    assert "haar rug speelt weer op" in text
    assert "Inzageverzoek" in text
    logged = AccessLog.objects.get(client=full_file)
    assert (logged.user, logged.action) == (consultant, AccessLog.Action.EXPORT_PDF)


def test_the_pdf_shows_markup_typed_into_the_file_as_text(client, consultant, client_record):
    CaseNote(
        client=client_record,
        happened_on=date(2026, 1, 6),
        text='<img src="http://example.invalid/spy.png"> <b>vet</b>',
    ).record()
    client.force_login(consultant)
    response = client.get(reverse("trajectories:export_pdf", args=[client_record.pk]))
    assert '<img src="http://example.invalid/spy.png">' in pdf_text(response)


@pytest.mark.parametrize("url_name", ["trajectories:export_json", "trajectories:export_pdf"])
def test_an_export_is_404_for_a_resident_the_user_may_not_see(
    client, consultant, client_elsewhere, url_name
):
    client.force_login(consultant)
    assert client.get(reverse(url_name, args=[client_elsewhere.pk])).status_code == 404
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("url_name", ["trajectories:export_json", "trajectories:export_pdf"])
def test_an_export_is_404_for_a_social_team_even_with_the_case_shared(
    client, social_team_member, full_file, url_name
):
    client.force_login(social_team_member)
    assert client.get(full_file.get_absolute_url()).status_code == 200
    assert client.get(reverse(url_name, args=[full_file.pk])).status_code == 404


def test_the_export_reads_a_fixed_number_of_queries(
    client, consultant, full_file, django_assert_max_num_queries
):
    for day in range(1, 6):
        CaseNote(client=full_file, happened_on=date(2026, 2, day), text=f"Notitie {day}").record()
    client.force_login(consultant)
    with django_assert_max_num_queries(30):
        client.get(reverse("trajectories:export_json", args=[full_file.pk]))


def test_everything_held_takes_as_many_queries_for_an_empty_file_as_for_a_full_one(
    full_file, municipality, consultant
):
    StepReached.objects.create(
        client=full_file,
        step=WorkLearningStep.objects.get(line__name="Horeca", position=2),
        reached_on=date(2026, 1, 8),
    )
    empty = factories.make_client(municipality, consultant, first_name="Otto", last_name="Leeg")
    counts = []
    for resident in (empty, full_file):
        with CaptureQueriesContext(connection) as queries:
            everything_held(resident)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_pdf_shows_the_access_log_one_line_per_entry(client, manager, full_file):
    for _visit in range(3):
        AccessLog.objects.record(manager, AccessLog.Action.VIEW_CASE, clients=[full_file])
    client.force_login(manager)
    factories.give_reason(client, full_file)
    text = pdf_text(client.get(reverse("trajectories:export_pdf", args=[full_file.pk])))
    lines = [line for line in text.splitlines() if "Casus geopend" in line]
    assert len(lines) >= 3
    assert all(manager.username in line for line in lines)


def test_the_case_page_offers_the_exports_to_staff(client, manager, client_record):
    client.force_login(manager)
    factories.give_reason(client, client_record)
    response = client.get(client_record.get_absolute_url())
    assert reverse("trajectories:export_pdf", args=[client_record.pk]) in response.text
    assert "Inzageverzoek: alle gegevens" in response.text
    # A manager does not work on cases: no closing.
    assert reverse("trajectories:close_file", args=[client_record.pk]) not in response.text


# Closing and reopening a file.


def test_a_consultant_closes_and_reopens_a_file(client, consultant, client_record):
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:close_file", args=[client_record.pk]),
        {"closed_on": date.today().isoformat(), "closed_reason": "moved_away"},
    )
    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.closed_on == date.today()
    assert client_record.closed_reason == Client.ClosedReason.MOVED_AWAY
    page = client.get(client_record.get_absolute_url()).text
    assert "Dossier gesloten op" in page
    assert "Dossier heropenen" in page

    response = client.post(reverse("trajectories:reopen_file", args=[client_record.pk]))
    assert response.status_code == 302
    client_record.refresh_from_db()
    assert (client_record.closed_on, client_record.closed_reason) == (None, "")
    assert "Dossier sluiten" in client.get(client_record.get_absolute_url()).text


def test_reopening_with_htmx_swaps_the_case_in_place(client, consultant, client_record):
    close(client_record, 10)
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:reopen_file", args=[client_record.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'id="case"' in response.text
    assert "Dossier sluiten" in response.text
    assert "Het dossier is weer geopend." in response.text


def test_a_file_with_an_open_placement_cannot_be_closed(client, consultant, client_record):
    factories.make_full_cycle(client_record)
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:close_file", args=[client_record.pk]),
        {"closed_on": date.today().isoformat(), "closed_reason": "paid_work"},
    )
    assert response.status_code == 200
    assert "Beëindig of trek eerst de lopende plaatsingen in." in response.text
    client_record.refresh_from_db()
    assert client_record.closed_on is None


def test_a_file_cannot_be_closed_in_the_future(client, consultant, client_record):
    client.force_login(consultant)
    tomorrow = date.today() + timedelta(days=1)
    response = client.post(
        reverse("trajectories:close_file", args=[client_record.pk]),
        {"closed_on": tomorrow.isoformat(), "closed_reason": "paid_work"},
    )
    assert response.status_code == 200
    client_record.refresh_from_db()
    assert client_record.closed_on is None


@pytest.mark.parametrize("user", ["manager", "social_team_member"])
def test_only_a_consultant_closes_a_file(client, request, client_record, user):
    client.force_login(request.getfixturevalue(user))
    url = reverse("trajectories:close_file", args=[client_record.pk])
    assert client.get(url).status_code == 404


# The retention period.


def test_the_retention_list_shows_files_closed_longer_ago_than_the_period(
    client, manager, municipality
):
    long_ago = close(factories.make_client(municipality, last_name="Langgeleden"), 3 * 365)
    close(factories.make_client(municipality, last_name="Gisteren"), 1)
    factories.make_client(municipality, last_name="Open")
    client.force_login(manager)
    response = client.get(reverse("trajectories:past_retention"))
    assert response.status_code == 200
    assert "Langgeleden" in response.text
    assert reverse("trajectories:anonymise", args=[long_ago.pk]) in response.text
    assert "Gisteren" not in response.text
    assert "Open" not in response.text


def test_the_retention_list_is_in_the_managers_navigation(client, manager, consultant):
    client.force_login(manager)
    assert "Bewaartermijn verstreken" in client.get(reverse("trajectories:list")).text
    client.force_login(consultant)
    assert "Bewaartermijn verstreken" not in client.get(reverse("trajectories:list")).text


def test_the_retention_list_reads_few_queries_however_many_files(
    client, manager, municipality, django_assert_max_num_queries
):
    for _ in range(30):
        close(factories.make_client(municipality), 3 * 365)
    client.force_login(manager)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("trajectories:past_retention"))
    assert response.text.count("Anonimiseren") >= 25


def test_the_confirmation_page_reads_few_queries(
    client, manager, full_file, django_assert_max_num_queries
):
    close(full_file, 3 * 365)
    client.force_login(manager)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("trajectories:anonymise", args=[full_file.pk]))
    assert "Dit kan niet ongedaan worden gemaakt." in response.text


@pytest.mark.parametrize("user", ["consultant", "social_team_member"])
def test_only_a_manager_sees_the_retention_list_and_anonymises(client, request, full_file, user):
    close(full_file, 3 * 365)
    client.force_login(request.getfixturevalue(user))
    assert client.get(reverse("trajectories:past_retention")).status_code == 404
    url = reverse("trajectories:anonymise", args=[full_file.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    full_file.refresh_from_db()
    assert full_file.anonymised_on is None


def test_a_file_within_its_retention_period_cannot_be_anonymised(client, manager, full_file):
    close(full_file, 300)
    client.force_login(manager)
    assert client.post(reverse("trajectories:anonymise", args=[full_file.pk])).status_code == 404
    full_file.refresh_from_db()
    assert full_file.anonymised_on is None


# Anonymisation.


@pytest.fixture
def anonymised(client, manager, full_file):
    """Fenna's file, closed three years ago and anonymised by the manager."""
    full_file.date_of_birth = date(1985, 6, 15)
    full_file.street_address, full_file.postal_code = "Rijnstraat 1", "3441 AB"
    full_file.save()
    close(full_file, 3 * 365)
    client.force_login(manager)
    response = client.post(reverse("trajectories:anonymise", args=[full_file.pk]))
    assert response.status_code == 302
    full_file.refresh_from_db()
    return full_file


def test_anonymisation_removes_what_identifies_the_resident(anonymised):
    bsn = Client.objects.filter(pk=anonymised.pk).values_list("bsn", flat=True).get()
    assert bsn is None
    assert anonymised.full_name == "Geanonimiseerde inwoner"
    assert "Fenna" not in anonymised.first_name + anonymised.last_name
    assert anonymised.date_of_birth == date(1985, 1, 1)
    assert (anonymised.street_address, anonymised.postal_code) == ("", "")
    assert anonymised.anonymised_on == date.today()


def test_anonymisation_removes_the_texts_drafts_and_shares(anonymised):
    assert CaseNote.objects.get(client=anonymised).text == REMOVED
    assert Intake.objects.get(client=anonymised).what_matters == REMOVED
    assert Intake.objects.get(client=anonymised).wishes == ""
    assert Referral.objects.get(client=anonymised).question == REMOVED
    assert not Share.objects.filter(client=anonymised).exists()
    assert not FormDraft.objects.filter(client=anonymised).exists()
    assert StepReached.objects.get(client=anonymised).note == REMOVED
    assert AbsenceReport.objects.get(placement__client=anonymised).pattern == REMOVED


def test_anonymisation_leaves_no_old_name_or_text_in_the_history(anonymised):
    assert not Client.history.filter(first_name="Fenna").exists()
    assert not Client.history.filter(id=anonymised.pk).exists()
    assert not CaseNote.history.filter(text=NOTE).exists()
    assert not Intake.history.filter(client=anonymised.pk).exists()
    assert not Share.history.filter(purpose=PURPOSE).exists()
    assert not Referral.history.filter(question=QUESTION).exists()
    assert not StepReached.history.filter(note=STEP_NOTE).exists()
    assert not AbsenceReport.history.filter(pattern=ABSENCE).exists()


def test_anonymisation_keeps_the_figures(client, manager, full_file):
    close(full_file, 3 * 365)
    counts_before = CaseCount.objects.tally()
    stage_before = factories.stage_of(full_file)
    client.force_login(manager)
    client.post(reverse("trajectories:anonymise", args=[full_file.pk]))
    Case.objects.refresh(full_file.pk)
    assert CaseCount.objects.tally() == Case.objects.tally()

    def without_consultant(tally):
        # An anonymised file no longer names its consultant; every other figure stays.
        return {key._replace(consultant=None): n for key, n in tally.items()}

    assert without_consultant(CaseCount.objects.tally()) == without_consultant(counts_before)
    assert factories.stage_of(full_file) == stage_before == Stage.REEVALUATION
    placement = Placement.objects.get(client=full_file)
    assert placement.status == Placement.Status.ACTIVE
    assert placement.start_on == date(2026, 1, 5)


def test_anonymisation_is_logged_and_the_log_keeps_its_rows(client, consultant, manager, full_file):
    client.force_login(consultant)
    client.get(reverse("trajectories:export_json", args=[full_file.pk]))
    close(full_file, 3 * 365)
    client.force_login(manager)
    client.post(reverse("trajectories:anonymise", args=[full_file.pk]))
    actions = list(
        AccessLog.objects.filter(client=full_file).order_by("at").values_list("action", flat=True)
    )
    assert actions == [AccessLog.Action.EXPORT_JSON, AccessLog.Action.ANONYMISE]


def test_an_anonymised_resident_is_found_by_no_name_or_bsn(client, consultant, full_file):
    bsn = full_file.bsn
    close(full_file, 3 * 365)
    anonymise(full_file, consultant)
    assert not Client.objects.search("Fenna").exists()
    assert not Client.objects.search(bsn).exists()
    client.force_login(consultant)
    listed = client.get(reverse("trajectories:list")).text
    assert "Geanonimiseerde inwoner" in listed
    assert "Fenna" not in listed


def test_an_anonymised_file_shows_only_its_figures_and_takes_no_more_work(
    client, consultant, anonymised
):
    client.force_login(consultant)
    page = client.get(anonymised.get_absolute_url())
    assert page.status_code == 200
    assert "Geanonimiseerde inwoner" in page.text
    assert "1985" in page.text
    assert client.get(reverse("trajectories:edit", args=[anonymised.pk])).status_code == 404
    assert client.get(reverse("trajectories:note", args=[anonymised.pk])).status_code == 404
    assert client.post(reverse("trajectories:reopen_file", args=[anonymised.pk])).status_code == 404


def test_an_anonymised_resident_cannot_be_changed_in_the_admin(client, administrator, anonymised):
    client.force_login(administrator)
    url = reverse("admin:clients_client_change", args=[anonymised.pk])
    response = client.post(url, {"first_name": "Fenna"})
    assert response.status_code == 403
    anonymised.refresh_from_db()
    assert anonymised.first_name == ""


def test_an_anonymised_file_leaves_the_retention_list(client, manager, anonymised):
    response = client.get(reverse("trajectories:past_retention"))
    assert reverse("trajectories:anonymise", args=[anonymised.pk]) not in response.text
    assert "Het dossier is geanonimiseerd" in response.text


def test_an_anonymised_resident_leaves_the_consultants_caseload(client, consultant, anonymised):
    assert Case.objects.get(pk=anonymised.pk).consultant is None
    client.force_login(consultant)
    assert "Geanonimiseerde inwoner" not in client.get(reverse("trajectories:mine")).text
