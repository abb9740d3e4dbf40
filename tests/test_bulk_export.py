"""Bulk export: a manager asks for the case summaries of a selection as one ZIP; the task runs
in the real database worker (`db_worker`), the page follows it, and a failure can be retried."""

import io
import subprocess
import zipfile
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from clients.models import AccessLog
from trajectories import exports
from trajectories.models import BulkExport

from . import factories
from .test_browser import serious_violations

# The worker commits as it goes, as in production, so these tests run outside a transaction.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migrated_data"),
]

REASON = "Overdracht van het dossier aan de gemeente."


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def block_processes_run_as_the_suite_does(monkeypatch):
    """The export's block processes are not under pytest: DEBUG gives them what the suite has
    (the throwaway key, static files without a manifest)."""
    monkeypatch.setenv("DEBUG", "1")


def run_worker():
    """Run the queued tasks in the database worker, as `make run` does, until none is left."""
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=0
    )


def request_export(client, **selection):
    data = {"reason": REASON, **{key: value.pk for key, value in selection.items()}}
    return client.post(reverse("trajectories:bulk_exports"), data)


def zip_of(client, export):
    response = client.get(reverse("trajectories:bulk_export_download", args=[export.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"samenvattingen-{export.pk}.zip" in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.fixture
def residents(municipality, other_municipality, consultant):
    """Two residents of Woerden (one in the consultant's caseload), one anonymised there,
    one elsewhere."""
    colleague = factories.make_user("consultant", username="collega")
    mine = factories.make_client(municipality, consultant, first_name="Fenna", last_name="Dijk")
    factories.make_full_cycle(mine)
    theirs = factories.make_client(municipality, colleague, first_name="Gijs", last_name="Bos")
    gone = factories.make_client(municipality, consultant, last_name="Weg")
    gone.closed_on, gone.closed_reason = date(2012, 5, 1), "moved_away"
    gone.anonymised_on = date.today()
    gone.save()
    elsewhere = factories.make_client(other_municipality, first_name="Otto", last_name="Elders")
    return {"mine": mine, "theirs": theirs, "elsewhere": elsewhere}


def test_a_manager_exports_a_municipality_as_a_zip_of_summaries(
    client, manager, municipality, residents
):
    client.force_login(manager)
    response = request_export(client, municipality=municipality)
    export = BulkExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == export.get_absolute_url()
    assert "Wacht op zijn beurt" in client.get(export.get_absolute_url()).text

    run_worker()

    export.refresh_from_db()
    assert (export.status, export.done, export.total) == ("done", 2, 2)
    assert "De export is klaar: 2 samenvattingen." in client.get(export.get_absolute_url()).text
    archive = zip_of(client, export)
    mine, theirs = residents["mine"], residents["theirs"]
    assert archive.namelist() == [f"samenvatting-{mine.pk}.pdf", f"samenvatting-{theirs.pk}.pdf"]
    text = "".join(
        page.extract_text() for page in PdfReader(archive.open(archive.namelist()[0])).pages
    )
    assert "Fenna" in text and "Dijk" in text
    logged = AccessLog.objects.filter(action=AccessLog.Action.BULK_EXPORT)
    assert sorted(logged.values_list("client", flat=True)) == sorted([mine.pk, theirs.pk])
    assert {(row.user, row.reason) for row in logged} == {(manager, REASON)}


def test_a_caseload_export_holds_only_that_consultants_residents(
    client, manager, consultant, residents
):
    client.force_login(manager)
    request_export(client, consultant=consultant)
    run_worker()
    export = BulkExport.objects.get()
    assert zip_of(client, export).namelist() == [f"samenvatting-{residents['mine'].pk}.pdf"]


def test_the_export_page_polls_while_it_runs_and_stops_when_ready(
    client, manager, municipality, residents
):
    client.force_login(manager)
    request_export(client, municipality=municipality)
    export = BulkExport.objects.get()
    partial = client.get(export.get_absolute_url(), headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith('<div id="export-progress"')
    assert 'hx-trigger="every 1s"' in partial.text
    assert "<html" not in partial.text
    assert partial["Vary"] == "HX-Request, Cookie"
    run_worker()
    partial = client.get(export.get_absolute_url(), headers={"HX-Request": "true"})
    assert "hx-trigger" not in partial.text
    assert reverse("trajectories:bulk_export_download", args=[export.pk]) in partial.text


@contextmanager
def database_refusing_access_log_rows_for(resident):
    """The database refuses to log access to this resident, as a real failure half-way
    through an export (in the block process, which no monkeypatch here reaches)."""
    table = AccessLog._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_access_log() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN RAISE EXCEPTION 'the archive refused resident %', NEW.client_id; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_access_log BEFORE INSERT ON {table} FOR EACH ROW "
                f"WHEN (NEW.client_id = {resident.pk}) EXECUTE FUNCTION refuse_access_log()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER refuse_access_log BEFORE INSERT ON {table} "
                f"WHEN NEW.client_id = {resident.pk} "
                f"BEGIN SELECT RAISE(ABORT, 'the archive refused resident {resident.pk}'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER refuse_access_log ON {table}")
                cursor.execute("DROP FUNCTION refuse_access_log()")
            else:
                cursor.execute("DROP TRIGGER refuse_access_log")


def test_a_failed_export_says_so_keeps_nothing_and_can_be_retried(
    client, manager, municipality, residents, private_files
):
    client.force_login(manager)
    request_export(client, municipality=municipality)
    theirs = residents["theirs"]
    with database_refusing_access_log_rows_for(theirs):
        run_worker()
    export = BulkExport.objects.get()
    assert (export.status, export.done) == ("failed", 1)
    assert f"the archive refused resident {theirs.pk}" in export.error
    page = client.get(export.get_absolute_url()).text
    assert "De export is mislukt na 1 van 2 samenvattingen." in page
    assert list(private_files.rglob("*.*")) == []
    assert (
        client.get(reverse("trajectories:bulk_export_download", args=[export.pk])).status_code
        == 404
    )

    response = client.post(reverse("trajectories:bulk_export_retry", args=[export.pk]))
    assert response["Location"] == export.get_absolute_url()
    run_worker()
    export.refresh_from_db()
    assert (export.status, export.done, export.total) == ("done", 2, 2)
    assert len(zip_of(client, export).namelist()) == 2


def test_each_block_of_summaries_is_rendered_by_a_process_of_its_own(
    client, manager, municipality, residents, monkeypatch
):
    """Memory stays bounded by construction: what the renderer keeps goes with the process."""
    started = []
    real_run = subprocess.run

    def noting_the_process(command, **options):
        started.append(command)
        return real_run(command, **options)

    monkeypatch.setattr(exports.subprocess, "run", noting_the_process)
    monkeypatch.setattr(exports, "BLOCK_SIZE", 1)
    client.force_login(manager)
    request_export(client, municipality=municipality)
    run_worker()

    export = BulkExport.objects.get()
    assert (export.status, export.done) == ("done", 2)
    # One block per resident, and a third that finds none left.
    assert [command[2] for command in started] == ["export_block"] * 3
    archive = zip_of(client, export)  # the blocks appended to one ZIP
    mine, theirs = residents["mine"], residents["theirs"]
    assert archive.namelist() == [f"samenvatting-{mine.pk}.pdf", f"samenvatting-{theirs.pk}.pdf"]
    assert all(len(PdfReader(archive.open(name)).pages) >= 1 for name in archive.namelist())


def test_a_zip_left_half_written_by_a_stopped_worker_is_started_anew(
    client, manager, municipality, residents
):
    client.force_login(manager)
    request_export(client, municipality=municipality)
    export = BulkExport.objects.get()
    stale = export.file_path.with_suffix(".part")
    stale.parent.mkdir(parents=True)
    with zipfile.ZipFile(stale, "w") as archive:
        archive.writestr("samenvatting-0.pdf", b"half")
    run_worker()
    mine, theirs = residents["mine"], residents["theirs"]
    assert zip_of(client, export).namelist() == [
        f"samenvatting-{mine.pk}.pdf",
        f"samenvatting-{theirs.pk}.pdf",
    ]


def test_a_build_tried_again_meanwhile_stops_and_leaves_the_zip_to_the_latest(
    client, manager, municipality, residents, monkeypatch, private_files
):
    """Tried again while an earlier build is in fact still alive (a worker that hung for ten
    minutes and woke up): the earlier one stops at its next summary, the latest writes alone."""
    monkeypatch.setattr(exports, "BLOCK_SIZE", 1)
    real_run_block, tried_again, found_by_the_second = exports.run_block, [], []

    def tried_again_after_the_first_block(export_id, attempt, *args):
        if attempt == 2 and not found_by_the_second:
            export = BulkExport.objects.get()
            found_by_the_second.append((export.status, export.file_path.exists()))
        last = real_run_block(export_id, attempt, *args)
        if not tried_again:
            tried_again.append(exports.start(BulkExport.objects.get()))
        return last

    monkeypatch.setattr(exports, "run_block", tried_again_after_the_first_block)
    client.force_login(manager)
    request_export(client, municipality=municipality)
    run_worker()  # the first attempt, then the second

    # The first neither finished the export nor left a ZIP for the second to find.
    assert found_by_the_second == [("running", False)]
    export = BulkExport.objects.get()
    assert (export.attempt, export.status, export.done, export.total) == (2, "done", 2, 2)
    mine, theirs = residents["mine"], residents["theirs"]
    assert zip_of(client, export).namelist() == [
        f"samenvatting-{mine.pk}.pdf",
        f"samenvatting-{theirs.pk}.pdf",
    ]
    assert [path.name for path in private_files.rglob("*.*")] == [f"{export.pk}.zip"]


def test_a_task_queued_before_attempts_were_counted_builds_the_current_one(
    client, manager, municipality, residents
):
    client.force_login(manager)
    request_export(client, municipality=municipality)
    export = BulkExport.objects.get()
    exports.build.call(export.pk)  # as such a task calls it: without the attempt
    export.refresh_from_db()
    assert (export.status, export.done) == ("done", 2)


def test_a_block_process_that_dies_fails_the_export(
    client, manager, municipality, residents, monkeypatch, private_files, tmp_path
):
    # A Python that the kernel kills at once, as it would one that ran out of memory.
    killed = tmp_path / "python"
    killed.write_text("#!/bin/sh\nkill -9 $$\n")
    killed.chmod(0o755)
    monkeypatch.setattr(exports.sys, "executable", str(killed))
    client.force_login(manager)
    request_export(client, municipality=municipality)
    run_worker()
    export = BulkExport.objects.get()
    assert (export.status, export.done) == ("failed", 0)
    assert export.error == "the block process was stopped by SIGKILL"
    assert "De export is mislukt na 0 van 2 samenvattingen." in (
        client.get(export.get_absolute_url()).text
    )
    assert list(private_files.rglob("*.*")) == []


def test_only_a_failed_or_stalled_export_can_be_retried(client, manager, municipality, residents):
    client.force_login(manager)
    request_export(client, municipality=municipality)
    export = BulkExport.objects.get()
    retry = reverse("trajectories:bulk_export_retry", args=[export.pk])
    assert client.post(retry).status_code == 404  # queued
    assert client.get(retry).status_code == 405
    # Running, its last summary written nine minutes ago: slow, not stopped.
    BulkExport.objects.filter(pk=export.pk).update(
        status="running", progressed_at=timezone.now() - timedelta(minutes=9)
    )
    assert client.post(retry).status_code == 404
    partial = client.get(export.get_absolute_url(), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in partial.text


def test_an_export_whose_worker_stopped_says_so_and_can_be_retried(
    client, manager, municipality, residents
):
    """A worker stopped halfway (or dying with its machine) leaves its export running: once
    it has written nothing for ten minutes the page says so instead of polling forever."""
    client.force_login(manager)
    request_export(client, municipality=municipality)
    export = BulkExport.objects.get()
    stopped_at = timezone.now() - timedelta(minutes=11)
    BulkExport.objects.filter(pk=export.pk).update(
        status="running", total=2, done=1, progressed_at=stopped_at
    )
    partial = client.get(export.get_absolute_url(), headers={"HX-Request": "true"})
    assert "hx-trigger" not in partial.text
    since = timezone.localtime(stopped_at).strftime("%d-%m-%Y %H:%M")
    assert f"De export is gestopt na 1 van 2 samenvattingen: sinds {since}" in partial.text
    listed = client.get(reverse("trajectories:bulk_exports")).text
    assert "Gestopt" in listed
    assert "Wordt gemaakt" not in listed

    response = client.post(reverse("trajectories:bulk_export_retry", args=[export.pk]))
    assert response["Location"] == export.get_absolute_url()
    run_worker()
    export.refresh_from_db()
    assert (export.status, export.done, export.total) == ("done", 2, 2)
    assert len(zip_of(client, export).namelist()) == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reason": REASON}, "municipality", "Kies een gemeente, een caseload of allebei."),
        ({"reason": ""}, "reason", "Dit veld is verplicht."),
        (
            {"reason": REASON, "municipality": "999999"},
            "municipality",
            "Selecteer een geldige keuze.",
        ),
        ({"reason": REASON, "municipality": "x"}, "municipality", "Selecteer een geldige keuze."),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_queued(
    client, manager, residents, data, field, message
):
    client.force_login(manager)
    response = client.post(reverse("trajectories:bulk_exports"), data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert response.context["form"]["reason"].value() == data["reason"]
    assert not BulkExport.objects.exists()


def test_an_empty_selection_is_refused(client, manager, municipality):
    client.force_login(manager)
    response = request_export(client, municipality=municipality)
    assert response.context["form"].non_field_errors() == [
        "Er zijn geen inwoners in deze selectie om te exporteren."
    ]


def test_the_export_pages_are_404_to_everyone_but_the_manager_who_asked(
    client, manager, consultant, social_team_member, werkbedrijf, municipality, residents
):
    client.force_login(manager)
    request_export(client, municipality=municipality)
    run_worker()
    export = BulkExport.objects.get()
    other_manager = factories.make_user("manager", werkbedrijf, username="manager2")
    factories.make_totp_device(other_manager)
    urls = [
        reverse("trajectories:bulk_exports"),
        export.get_absolute_url(),
        reverse("trajectories:bulk_export_download", args=[export.pk]),
    ]
    for user in (consultant, social_team_member):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    client.force_login(other_manager)
    assert client.get(reverse("trajectories:bulk_exports")).status_code == 200
    for url in urls[1:]:
        assert client.get(url).status_code == 404, url


def test_the_export_pages_keep_their_query_counts(
    client, manager, municipality, residents, django_assert_max_num_queries
):
    client.force_login(manager)
    for _ in range(3):
        request_export(client, municipality=municipality)
    run_worker()
    export = BulkExport.objects.first()
    with django_assert_max_num_queries(10):
        client.get(reverse("trajectories:bulk_exports"))
    with django_assert_max_num_queries(8):
        client.get(export.get_absolute_url())


@pytest.mark.browser
def test_a_manager_follows_the_export_in_the_browser_and_downloads_it(
    logged_in, live_server, manager, municipality, residents
):
    page = logged_in("manager")
    page.goto(live_server.url + reverse("trajectories:bulk_exports"))
    page.get_by_role("button", name="Export maken").click()
    # Forgotten: the selection and the reason. Said next to each field.
    expect(page.get_by_text("Kies een gemeente, een caseload of allebei.").first).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Gemeente").select_option(label=municipality.name)
    page.get_by_label("Reden").fill(REASON)
    page.get_by_role("button", name="Export maken").click()
    expect(page.get_by_text("Wacht op zijn beurt")).to_be_visible()
    assert serious_violations(page) == []

    run_worker()  # the worker takes the task; the page polls and shows the download

    download_link = page.get_by_role("link", name="ZIP-bestand downloaden")
    expect(download_link).to_be_visible(timeout=10_000)
    expect(page.get_by_text("De export is klaar: 2 samenvattingen.")).to_be_visible()
    with page.expect_download() as download:
        download_link.click()
    archive = zipfile.ZipFile(download.value.path())
    assert len(archive.namelist()) == 2
    # The earlier exports are listed on the export page.
    page.get_by_role("link", name="Casussamenvattingen exporteren").click()
    expect(page.get_by_role("heading", name="Uw exports")).to_be_visible()


def test_an_export_is_deleted_with_its_file_once_kept_long_enough(
    client, manager, municipality, residents, settings
):
    client.force_login(manager)
    request_export(client, municipality=municipality)
    run_worker()
    old = BulkExport.objects.get()
    assert old.file_path.exists()
    assert "wordt verwijderd op" in client.get(old.get_absolute_url()).text
    BulkExport.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - timedelta(days=settings.BULK_EXPORT_KEEP_DAYS, minutes=1)
    )
    request_export(client, municipality=municipality)
    run_worker()  # the next export clears the expired one
    assert list(BulkExport.objects.values_list("status", flat=True)) == ["done"]
    assert not old.file_path.exists()
    assert client.get(old.get_absolute_url()).status_code == 404
