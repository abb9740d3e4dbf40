"""Pages with personal data are never stored in a browser's cache (a shared computer keeps none)."""

import pytest
from django.urls import reverse

from . import factories


def no_store(response):
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize(
    "name",
    [
        "trajectories:list",
        "trajectories:mine",
        "trajectories:case",
        "trajectories:edit",
        "trajectories:timeline",
    ],
)
def test_a_page_with_personal_data_is_not_stored(client, consultant, client_record, name):
    client.force_login(consultant)
    args = [] if name in ("trajectories:list", "trajectories:mine") else [client_record.pk]
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    assert no_store(response), response.get("Cache-Control")


def test_an_htmx_fragment_is_not_stored(client, consultant, client_record):
    client.force_login(consultant)
    response = client.get(
        reverse("trajectories:list"), {"q": "Dijk"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'id="results"' in response.text and "<html" not in response.text
    assert no_store(response), response.get("Cache-Control")


@pytest.mark.parametrize("url_name", ["two_factor_verify", "two_factor_setup"])
def test_the_two_step_verification_pages_are_not_stored(client, consultant, url_name):
    factories.make_totp_device(consultant, confirmed=url_name == "two_factor_verify")
    client.post(reverse("login"), {"username": "consulent", "password": "secret-test-password"})
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert no_store(response), response.get("Cache-Control")


def test_the_lockout_page_is_not_stored(client, consultant):
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "consulent", "password": "wrong"})
    assert response.status_code == 429
    assert no_store(response), response.get("Cache-Control")
