"""Logging in: throttling wrong passwords, the second step with an authenticator app, and the
clock that ends a session."""

import math
import time
from base64 import b32encode, b64encode

import qrcode
import qrcode.image.svg
from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from partners.forms import LoginForm, TOTPCodeForm

# The moments (Unix seconds) a session started and last served a request.
LOGGED_IN_AT = "fermwerk_logged_in_at"
LAST_SEEN_AT = "fermwerk_last_seen_at"


def start_session_clock(sender, request, user, **kwargs):
    """On every login (the admin's and force_login's too): the session's timeouts count from now."""
    now = int(time.time())
    request.session[LOGGED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


def session_has_expired(request):
    """Has the user's session passed its absolute or its idle timeout?

    A session without a start has: it was made before the clock existed."""
    now = int(time.time())
    return (
        now - request.session.get(LOGGED_IN_AT, 0) > settings.SESSION_ABSOLUTE_TIMEOUT
        or now - request.session.get(LAST_SEEN_AT, 0) > settings.SESSION_IDLE_TIMEOUT
    )


def keep_session_alive(request):
    """Note that the session served a request: the idle timeout counts from here.

    Written at most once a minute rather than on every request; a minute is precise enough."""
    now = int(time.time())
    if now - request.session.get(LAST_SEEN_AT, 0) >= 60:
        request.session[LAST_SEEN_AT] = now


def client_ip_address(request):
    """The address a login attempt came from, for django-axes.

    Behind TRUSTED_PROXY_COUNT proxies, each appending the address it saw to X-Forwarded-For,
    it is the one the outermost proxy appended (that many from the right); entries further left
    are whatever the client sent."""
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    if settings.TRUSTED_PROXY_COUNT and len(forwarded) >= settings.TRUSTED_PROXY_COUNT:
        return forwarded[-settings.TRUSTED_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response, credentials):
    """The login page saying how long the user must wait (django-axes' AXES_LOCKOUT_CALLABLE)."""
    minutes = math.ceil(get_cool_off(request).total_seconds() / 60)
    form = LoginForm(request, initial={"username": get_client_username(request, credentials)})
    response = render(
        request,
        "registration/login.html",
        {
            "form": form,
            "next": request.POST.get("next", ""),
            "lockout": ngettext(
                "Too many failed attempts. Try again in %(minutes)d minute.",
                "Too many failed attempts. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
        },
        status=429,
    )
    patch_cache_control(response, no_store=True)
    return response


def next_page(request):
    """Where the user was going before the second step: a page of this site, else home."""
    url = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("home")


def verify_device(request, device):
    """The session is verified by this device from now on, under a new key (a privilege change)."""
    otp_login(request, device)
    request.session.cycle_key()


def two_factor_verify(request):
    """The second step of the login: the code from the user's authenticator app."""
    user = request.user
    device = user.confirmed_totp_device()
    if device is None:
        return redirect("two_factor_setup")
    if user.is_verified():
        return redirect(next_page(request))
    form = TOTPCodeForm(user, device, request.POST or None)
    if form.is_valid():
        verify_device(request, device)
        return redirect(next_page(request))
    return render(
        request, "registration/two_factor_verify.html", {"form": form, "next": next_page(request)}
    )


def two_factor_setup(request):
    """Two-step verification: set up an authenticator app, or see that it is on.

    Setting up asks for the app's first code, so a device nobody can read codes from is never
    confirmed. A user whose session has not passed their existing device cannot set up another:
    that would let a stolen password replace the second factor."""
    user = request.user
    if user.confirmed_totp_device() is not None:
        if not user.is_verified():
            return redirect("two_factor_verify")
        return render(request, "registration/two_factor_on.html")
    device = user.unconfirmed_totp_device()
    form = TOTPCodeForm(user, device, request.POST or None)
    if form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        verify_device(request, device)
        messages.success(request, _("Two-step verification is on."))
        return redirect(next_page(request))
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "next": next_page(request),
            "qr_code": qr_code_data_url(device.config_url),
            "secret": " ".join(split_in_fours(b32encode(device.bin_key).decode())),
        },
    )


@require_POST
def two_factor_disable(request):
    """Turn two-step verification off, for a user who may do without it."""
    user = request.user
    if user.requires_two_factor:
        raise Http404
    user.totpdevice_set.all().delete()
    messages.success(request, _("Two-step verification is off."))
    return redirect("two_factor_setup")


def qr_code_data_url(text):
    """A QR code as an SVG image in a data: URL: drawn here, no outside service sees the secret,
    and the Content Security Policy allows data: images."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage)
    return "data:image/svg+xml;base64," + b64encode(image.to_string()).decode()


def split_in_fours(text):
    return [text[start : start + 4] for start in range(0, len(text), 4)]
