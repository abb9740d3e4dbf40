import re
from datetime import date

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clients.models import AccessLog
from partners.models import Agreement, OrganisationKind, ProcessDocument, Role

from . import factories
from .factories import stage_of

OUR_APPS = ["partners", "provisions", "clients", "trajectories"]
# A consultant's unsaved drafts are private working copies, not records to administer.
NOT_ADMINISTERED = {"FormDraft"}


def our_models():
    return [
        model
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical") and model.__name__ not in NOT_ADMINISTERED
    ]


def test_every_model_is_in_the_admin():
    missing = [model.__name__ for model in our_models() if not admin.site.is_registered(model)]
    assert missing == []


@pytest.mark.parametrize("model", our_models(), ids=lambda model: model.__name__)
def test_the_administrator_opens_every_admin_list(client, administrator, client_record, model):
    client.force_login(administrator)
    meta = model._meta
    response = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    assert response.status_code == 200


@pytest.fixture
def process_document(settings, tmp_path, administrator):
    """A process description with its file, stored where the test can leave it."""
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    reinaerde = factories.make_organisation("Reinaerde", OrganisationKind.CARE_PROVIDER)
    agreement = Agreement.objects.create(organisation=reinaerde, valid_from=date(2025, 1, 1))
    return ProcessDocument.objects.create(
        agreement=agreement,
        title="Werkproces plaatsing",
        file=SimpleUploadedFile("werkproces.pdf", b"%PDF-1.4\n%%EOF\n"),
        uploaded_by=administrator,
    )


@pytest.mark.parametrize("model", ["processdocument", "agreement"])
def test_the_admin_links_a_documents_file_to_its_logged_download(
    client, administrator, process_document, model
):
    """Its stored file has no URL of its own: the admin's change pages of the document and of
    its agreement link to the site's download view, which logs who downloads it."""
    client.force_login(administrator)
    shown = process_document if model == "processdocument" else process_document.agreement
    response = client.get(reverse(f"admin:partners_{model}_change", args=[shown.pk]))
    assert response.status_code == 200
    link = f'<a href="{process_document.get_absolute_url()}">werkproces.pdf</a>'
    assert link in response.text


def test_the_administrator_uploads_a_document_with_its_agreement(
    client, administrator, process_document
):
    client.force_login(administrator)
    agreement = process_document.agreement
    management = {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0, "MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 1000}
    response = client.post(
        reverse("admin:partners_agreement_change", args=[agreement.pk]),
        {
            "organisation": agreement.organisation_id,
            "steps": "[]",
            "valid_from": "2025-01-01",
            **{f"documents-{key}": value for key, value in management.items()},
            "documents-TOTAL_FORMS": 1,
            "documents-INITIAL_FORMS": 1,
            "documents-0-id": process_document.pk,
            "documents-0-agreement": agreement.pk,
            **{f"documents-2-{key}": value for key, value in management.items()},
            "documents-2-TOTAL_FORMS": 1,
            "documents-2-0-agreement": agreement.pk,
            "documents-2-0-title": "Werkproces begeleiding",
            "documents-2-0-file": SimpleUploadedFile("begeleiding.pdf", b"%PDF-1.4\n%%EOF\n"),
        },
    )
    assert response.status_code == 302
    added = agreement.documents.get(title="Werkproces begeleiding")
    assert (added.filename, added.uploaded_by) == ("begeleiding.pdf", administrator)
    assert agreement.documents.count() == 2


def test_the_admin_shows_a_clients_history(client, administrator, client_record):
    client.force_login(administrator)
    for phone in ["0348-111111", "0348-000000"]:
        client_record.phone = phone
        client_record.save()
    response = client.get(reverse("admin:clients_client_history", args=[client_record.pk]))
    assert response.status_code == 200
    # django-simple-history lists each change as "<field>: old → new".
    change = re.compile(
        r"<strong>Telefoon:</strong>\s*0348-111111\s*&nbsp;&rarr;&nbsp;&nbsp;0348-000000"
    )
    assert change.search(response.text), "the history shows the old and the new phone number"


def test_the_admin_says_it_is_fermwerk_in_dutch(client, administrator):
    client.force_login(administrator)
    assert "fermwerk-beheer" in client.get(reverse("admin:index")).text


def test_a_consultant_cannot_open_the_admin(client, consultant):
    client.force_login(consultant)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_the_admin_client_list_respects_who_may_see_whom(
    client, werkbedrijf, client_record, client_elsewhere
):
    staff = factories.make_user("consultant", werkbedrijf, is_staff=True)
    client.force_login(staff)
    response = client.get(reverse("admin:clients_client_changelist"))
    assert "Dijk" in response.text
    assert "Elders" not in response.text


def test_an_intake_added_in_the_admin_moves_the_stage_on(client, administrator, client_record):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:trajectories_intake_add"),
        {"client": client_record.pk, "held_on": "2026-01-05", "what_matters": "Rust"},
    )
    assert response.status_code == 302
    client_record.refresh_from_db()
    assert stage_of(client_record) == "diagnosis"
    intake = client_record.intakes.get()
    client.post(reverse("admin:trajectories_intake_delete", args=[intake.pk]), {"post": "yes"})
    client_record.refresh_from_db()
    assert stage_of(client_record) == "intake"


def user_form(user, **changes):
    """The admin's change form for the user as it stands, with some values changed."""
    memberships = list(user.memberships.all())
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "groups": [group.pk for group in user.groups.all()],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "memberships-TOTAL_FORMS": len(memberships),
        "memberships-INITIAL_FORMS": len(memberships),
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
    }
    for number, membership in enumerate(memberships):
        data |= {
            f"memberships-{number}-id": membership.pk,
            f"memberships-{number}-user": user.pk,
            f"memberships-{number}-organisation": membership.organisation_id,
            f"memberships-{number}-job_title": membership.job_title,
        }
    return data | changes


def test_the_history_of_a_user_says_who_changed_their_name(client, administrator, consultant):
    client.force_login(administrator)
    url = reverse("admin:partners_user_change", args=[consultant.pk])
    response = client.post(url, user_form(consultant, first_name="Sanne"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = consultant.history.first()
    assert latest.first_name == "Sanne"
    assert latest.history_user == administrator
    page = client.get(reverse("admin:partners_user_history", args=[consultant.pk]))
    change = r"<strong>Voornaam:</strong>\s*Test\s*&nbsp;&rarr;&nbsp;&nbsp;Sanne"
    assert re.search(change, page.text), "the history shows the old and the new first name"


def test_the_history_of_a_user_records_a_change_of_role(client, administrator, consultant):
    client.force_login(administrator)
    manager_group = Group.objects.get(name=Role.MANAGER)
    url = reverse("admin:partners_user_change", args=[consultant.pk])
    client.post(url, user_form(consultant, groups=[manager_group.pk]))
    latest = consultant.history.first()
    assert [row.group.name for row in latest.groups.all()] == [Role.MANAGER]
    assert latest.history_user == administrator
    before = consultant.history.filter(history_user=None).first()
    assert [row.group.name for row in before.groups.all()] == [Role.CONSULTANT]
    page = client.get(reverse("admin:partners_user_history", args=[consultant.pk]))
    change = r"<strong>Groepen:</strong>\s*\[\]\s*&nbsp;&rarr;&nbsp;&nbsp;\[manager\]"
    assert re.search(change, page.text), "the history shows the new role"


def test_the_history_of_a_membership_says_who_changed_it(client, administrator, consultant):
    client.force_login(administrator)
    membership = consultant.memberships.get()
    url = reverse("admin:partners_membership_change", args=[membership.pk])
    response = client.post(
        url,
        {
            "user": consultant.pk,
            "organisation": membership.organisation_id,
            "job_title": "Klantmanager",
        },
    )
    assert response.status_code == 302
    latest = membership.history.first()
    assert latest.job_title == "Klantmanager"
    assert latest.history_user == administrator
    history_page = reverse("admin:partners_membership_history", args=[membership.pk])
    assert "Klantmanager" in client.get(history_page).text


def test_a_membership_changed_on_its_users_page_is_in_the_history(
    client, administrator, consultant
):
    client.force_login(administrator)
    membership = consultant.memberships.get()
    url = reverse("admin:partners_user_change", args=[consultant.pk])
    client.post(url, user_form(consultant, **{"memberships-0-job_title": "Jobcoach"}))
    latest = membership.history.first()
    assert (latest.job_title, latest.history_user) == ("Jobcoach", administrator)


def test_the_history_of_a_user_keeps_no_password_and_no_logins(client, consultant):
    recorded = {field.name for field in consultant.history.model._meta.fields}
    assert "password" not in recorded and "last_login" not in recorded
    before = consultant.history.count()
    client.post(reverse("login"), {"username": "consulent", "password": "secret-test-password"})
    consultant.refresh_from_db()
    assert consultant.last_login is not None
    assert consultant.history.count() == before


@pytest.mark.parametrize("view", ["history", "version"])
def test_the_history_of_a_resident_the_user_may_not_see_is_not_found(
    client, werkbedrijf, client_elsewhere, view
):
    """django-simple-history's own views would show it: the admin keeps the app's rule."""
    client_elsewhere.phone = "0348-999999"
    client_elsewhere.save()
    staff = factories.make_user("consultant", werkbedrijf, is_staff=True)
    client.force_login(staff)
    version = client_elsewhere.history.latest().history_id
    url = (
        reverse("admin:clients_client_history", args=[client_elsewhere.pk])
        if view == "history"
        else reverse("admin:clients_client_simple_history", args=[client_elsewhere.pk, version])
    )
    response = client.get(url)
    assert response.status_code == 404
    assert "0348-999999" not in response.text


def test_the_history_of_a_visible_resident_is_shown_and_logged(client, werkbedrijf, client_record):
    staff = factories.make_user("consultant", werkbedrijf, is_staff=True)
    client.force_login(staff)
    response = client.get(reverse("admin:clients_client_history", args=[client_record.pk]))
    assert response.status_code == 200
    logged = AccessLog.objects.filter(user=staff, action=AccessLog.Action.VIEW_HISTORY)
    assert list(logged.values_list("client", flat=True)) == [client_record.pk]


def test_an_anonymised_resident_is_not_restored_from_an_earlier_version(
    client, administrator, client_record
):
    version = client_record.history.latest().history_id
    client_record.last_name = "Geanonimiseerd"
    client_record.closed_on, client_record.closed_reason = date(2026, 10, 1), "paid_work"
    client_record.anonymised_on = date(2026, 11, 1)
    client_record.save()
    client.force_login(administrator)
    url = reverse("admin:clients_client_simple_history", args=[client_record.pk, version])
    response = client.post(url, {"last_name": "Dijk", "_change_history": "1"})
    assert response.status_code == 403
    client_record.refresh_from_db()
    assert client_record.last_name == "Geanonimiseerd"
