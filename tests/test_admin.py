import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

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
