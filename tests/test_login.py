"""Logging in: throttled wrong passwords, the code from an authenticator app, and sessions that
end. Through the real login form and middleware; force_login only where the login is not the
point (it enters the code for a user with a device, see conftest)."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from fermwerk.login import LAST_SEEN_AT, LOGGED_IN_AT
from partners.models import Role

from . import factories
from .factories import totp_code

LOCKED_OUT = "Te veel mislukte pogingen. Probeer het over 15 minuten opnieuw."
WRONG_CODE = "Deze code klopt niet. Vul de code in die uw app nu toont."
EXPIRED = "Uw sessie is verlopen; log opnieuw in."


def log_in(client, username, password="secret-test-password", address="10.0.0.1", **extra):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def enter_code(client, code, url_name="two_factor_verify", next_url=""):
    return client.post(reverse(url_name), {"code": code, "next": next_url})


# Throttling wrong passwords (django-axes)


def test_the_fifth_wrong_password_locks_the_login(client, consultant):
    for _ in range(4):
        response = log_in(client, "consulent", "wrong")
        assert response.status_code == 200
        assert LOCKED_OUT not in response.text
    response = log_in(client, "consulent", "wrong")
    assert response.status_code == 429
    assert LOCKED_OUT in response.text


def test_after_twenty_wrong_passwords_the_right_one_is_refused_too(client, consultant):
    for _ in range(20):
        log_in(client, "consulent", "wrong")
    response = log_in(client, "consulent")
    assert response.status_code == 429
    assert LOCKED_OUT in response.text
    assert 'id="id_username"' in response.text, "the login form is shown again"
    assert logged_in_user_id(client) is None


def test_a_lockout_holds_one_user_name_at_one_address(client, consultant, social_team_member):
    for _ in range(5):
        log_in(client, "consulent", "wrong", address="10.0.0.1")
    assert log_in(client, "consulent", address="10.0.0.1").status_code == 429

    assert log_in(client, "sociaalteam", address="10.0.0.1").status_code == 302
    assert logged_in_user_id(client) == str(social_team_member.pk)
    client.post(reverse("logout"))

    assert log_in(client, "consulent", address="10.0.0.2").status_code == 302
    assert logged_in_user_id(client) == str(consultant.pk)


def test_the_login_opens_again_after_the_cool_off(client, consultant):
    for _ in range(5):
        log_in(client, "consulent", "wrong")
    assert log_in(client, "consulent").status_code == 429
    # Fifteen minutes pass: the failures are recorded at times that now lie behind the cool-off.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    assert log_in(client, "consulent").status_code == 302
    assert logged_in_user_id(client) == str(consultant.pk)


def test_a_successful_login_clears_the_failures(client, consultant):
    for _ in range(4):
        log_in(client, "consulent", "wrong")
    assert log_in(client, "consulent").status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert log_in(client, "consulent", "wrong").status_code == 200


def test_the_cool_off_in_the_message_follows_the_setting(client, consultant, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    for _ in range(5):
        response = log_in(client, "consulent", "wrong")
    assert "Probeer het over 30 minuten opnieuw." in response.text


def test_the_admin_login_is_throttled_too(client, administrator):
    for _ in range(5):
        response = client.post(
            reverse("admin:login"), {"username": "beheerder", "password": "wrong"}
        )
    assert response.status_code == 429
    assert LOCKED_OUT in response.text


def test_behind_a_proxy_the_address_it_saw_counts(client, consultant, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        log_in(client, "consulent", "wrong", HTTP_X_FORWARDED_FOR="192.0.2.1")
    # What the client itself puts in front of the header changes nothing.
    forged = "198.51.100.7, 192.0.2.1"
    assert log_in(client, "consulent", HTTP_X_FORWARDED_FOR=forged).status_code == 429
    assert log_in(client, "consulent", HTTP_X_FORWARDED_FOR="192.0.2.2").status_code == 302


# The second step: a code from an authenticator app (django-otp, TOTP)


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("trajectories:list"),
        reverse("reports"),
        reverse("provisions:list"),
        reverse("partners:list"),
        reverse("admin:index"),
    ],
)
def test_a_manager_without_an_app_is_sent_to_set_it_up_from_every_page(client, werkbedrijf, url):
    client.force_login(factories.make_user(Role.MANAGER, werkbedrijf))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup") + "?next=")


def test_an_htmx_request_before_the_code_moves_the_whole_page(client, werkbedrijf):
    client.force_login(factories.make_user(Role.MANAGER, werkbedrijf))
    response = client.get(
        reverse("trajectories:list"),
        {"q": "Dijk"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/clienten/"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("two_factor_setup") + "?next=%2Fclienten%2F"


def test_a_manager_sets_up_the_app_and_reaches_the_reports(client, werkbedrijf):
    manager = factories.make_user(Role.MANAGER, werkbedrijf)
    assert log_in(client, manager.username).status_code == 302
    response = client.get(reverse("reports"))
    assert response["Location"] == reverse("two_factor_setup") + "?next=%2Frapportages%2F"

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in page.text
    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    assert factories.secret_of(device) in page.text.replace(" ", "")
    assert 'href="/rapportages/"' not in page.text, "no navigation before the app is set up"

    response = enter_code(client, totp_code(device), "two_factor_setup", "/rapportages/")
    assert response.status_code == 302
    assert response["Location"] == reverse("reports")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("reports")).status_code == 200


def test_reloading_the_setup_page_keeps_the_secret(client, werkbedrijf):
    client.force_login(factories.make_user(Role.MANAGER, werkbedrijf))
    first = client.get(reverse("two_factor_setup"))
    second = client.get(reverse("two_factor_setup"))
    assert first.context["secret"] == second.context["secret"]
    assert TOTPDevice.objects.count() == 1


def test_a_wrong_code_while_setting_up_is_refused_next_to_the_field(client, werkbedrijf):
    manager = factories.make_user(Role.MANAGER, werkbedrijf)
    client.force_login(manager)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=manager)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = enter_code(client, wrong, "two_factor_setup")
    assert response.status_code == 200
    assert 'id="id_code_error"' in response.text and WRONG_CODE in response.text
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("reports")).status_code == 302


def test_a_consultant_without_an_app_logs_in_with_the_password_alone(client, consultant):
    assert log_in(client, "consulent").status_code == 302
    assert client.get(reverse("trajectories:list")).status_code == 200


def test_a_consultant_with_an_app_must_enter_its_code(client, consultant):
    device = factories.make_totp_device(consultant)
    assert log_in(client, "consulent").status_code == 302
    response = client.get(reverse("trajectories:list"))
    assert response["Location"] == reverse("two_factor_verify") + "?next=%2Fclienten%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Code invoeren" in page.text

    response = enter_code(client, totp_code(device), next_url="/clienten/")
    assert response["Location"] == "/clienten/"
    assert client.get(reverse("trajectories:list")).status_code == 200


def test_a_wrong_code_is_refused_with_a_message_next_to_the_field(client, consultant):
    device = factories.make_totp_device(consultant)
    log_in(client, "consulent")
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = enter_code(client, wrong)
    assert response.status_code == 200
    assert 'id="id_code_error"' in response.text and WRONG_CODE in response.text
    assert 'aria-invalid="true"' in response.text
    assert client.get(reverse("trajectories:list")).status_code == 302


def test_a_code_that_is_not_six_digits_is_refused(client, consultant):
    factories.make_totp_device(consultant)
    log_in(client, "consulent")
    response = enter_code(client, "12ab")
    assert "Vul de zes cijfers in die uw app toont." in response.text


def test_after_wrong_codes_even_the_right_one_waits(client, consultant):
    device = factories.make_totp_device(consultant)
    log_in(client, "consulent")
    # django-otp's throttling: after five wrong codes it takes no code for 16 seconds.
    device.throttling_failure_count = 5
    device.throttling_failure_timestamp = timezone.now()
    device.save()
    response = enter_code(client, totp_code(device))
    assert "Te veel onjuiste codes. Wacht even en probeer het opnieuw." in response.text
    assert client.get(reverse("trajectories:list")).status_code == 302


def test_a_password_alone_cannot_set_up_a_new_app(client, consultant):
    factories.make_totp_device(consultant)
    log_in(client, "consulent")
    response = client.get(reverse("two_factor_setup"))
    assert response["Location"] == reverse("two_factor_verify")
    response = enter_code(client, "123456", "two_factor_setup")
    assert response["Location"] == reverse("two_factor_verify")
    assert TOTPDevice.objects.filter(user=consultant).count() == 1


def test_the_admin_asks_for_the_code_too(client, administrator):
    response = client.post(
        reverse("admin:login"), {"username": "beheerder", "password": "secret-test-password"}
    )
    assert response.status_code == 302
    response = client.get(reverse("admin:index"))
    assert response["Location"] == reverse("two_factor_verify") + "?next=%2Fadmin%2F"
    device = administrator.confirmed_totp_device()
    assert enter_code(client, totp_code(device), next_url="/admin/")["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_code_page_sends_nobody_to_another_site(client, consultant):
    device = factories.make_totp_device(consultant)
    log_in(client, "consulent")
    response = enter_code(client, totp_code(device), next_url="https://example.com/")
    assert response["Location"] == reverse("home")


def test_a_consultant_turns_the_app_on_and_off(client, consultant):
    client.force_login(consultant)
    page = client.get(reverse("two_factor_setup"))
    assert "Met tweestapsverificatie logt u in" in page.text
    device = TOTPDevice.objects.get(user=consultant)
    enter_code(client, totp_code(device), "two_factor_setup")
    assert "Uitzetten" in client.get(reverse("two_factor_setup")).text

    client.post(reverse("two_factor_disable"))
    assert not TOTPDevice.objects.filter(user=consultant).exists()
    client.post(reverse("logout"))
    log_in(client, "consulent")
    assert client.get(reverse("trajectories:list")).status_code == 200


def test_a_manager_cannot_turn_the_app_off(client, manager):
    client.force_login(manager)
    assert "Uitzetten" not in client.get(reverse("two_factor_setup")).text
    assert client.post(reverse("two_factor_disable")).status_code == 404
    assert TOTPDevice.objects.filter(user=manager).exists()


def test_the_navigation_leads_to_two_step_verification(client, consultant):
    client.force_login(consultant)
    response = client.get(reverse("trajectories:list"))
    assert f'href="{reverse("two_factor_setup")}"' in response.text


# Sessions end: half an hour without a request, twelve hours after the login


def move_session_clock(client, **seconds_ago):
    """Set the session's login and last-request times this many seconds back."""
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[{"logged_in": LOGGED_IN_AT, "last_seen": LAST_SEEN_AT}[key]] = now - ago
    session.save()


def test_a_login_starts_the_session_clock(client, consultant):
    before = int(time.time())
    log_in(client, "consulent")
    assert before <= client.session[LOGGED_IN_AT] <= time.time()
    assert client.session[LAST_SEEN_AT] == client.session[LOGGED_IN_AT]


def test_a_session_ends_twelve_hours_after_the_login(client, consultant):
    client.force_login(consultant)
    move_session_clock(client, logged_in=12 * 60 * 60 + 1, last_seen=10)
    response = client.get(reverse("trajectories:list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/clienten/"
    assert logged_in_user_id(client) is None
    assert EXPIRED in client.get(response["Location"]).text


def test_a_session_lasts_until_twelve_hours_after_the_login(client, consultant):
    client.force_login(consultant)
    move_session_clock(client, logged_in=12 * 60 * 60 - 60, last_seen=10)
    assert client.get(reverse("trajectories:list")).status_code == 200


def test_a_session_ends_after_half_an_hour_without_a_request(client, consultant):
    client.force_login(consultant)
    move_session_clock(client, logged_in=31 * 60, last_seen=31 * 60)
    response = client.get(reverse("trajectories:list"))
    assert response["Location"] == reverse("login") + "?next=/clienten/"
    assert EXPIRED in client.get(response["Location"]).text


def test_each_request_keeps_the_session_alive(client, consultant):
    client.force_login(consultant)
    move_session_clock(client, logged_in=29 * 60, last_seen=29 * 60)
    assert client.get(reverse("trajectories:list")).status_code == 200
    assert client.session[LAST_SEEN_AT] >= time.time() - 5
    assert client.session[LOGGED_IN_AT] <= time.time() - 29 * 60


def test_the_timeouts_follow_the_settings(client, consultant, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    client.force_login(consultant)
    move_session_clock(client, logged_in=6 * 60, last_seen=6 * 60)
    assert client.get(reverse("trajectories:list")).status_code == 302


def test_an_expired_session_moves_the_whole_page_of_an_htmx_request_to_the_login(
    client, consultant
):
    client.force_login(consultant)
    move_session_clock(client, logged_in=31 * 60, last_seen=31 * 60)
    response = client.get(
        reverse("trajectories:list"),
        {"q": "Dijk"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/clienten/?q=Dij"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("login") + "?next=/clienten/%3Fq%3DDij"
    assert "<form" not in response.text


def test_an_htmx_request_without_a_session_moves_the_whole_page_to_the_login(client, db):
    response = client.get(
        reverse("trajectories:list"),
        {"q": "Dijk"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/clienten/"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("login") + "?next=/clienten/"
