from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from .login import keep_session_alive, session_has_expired

# What a user may open between their password and their code: the second step itself, logging
# out and the language switch. Static files never come here (the web server, or in development
# staticfiles' own handler, serves them).
SECOND_STEP_PAGES = ["two_factor_verify", "two_factor_setup", "logout", "set_language"]


def language_middleware(get_response):
    """Dutch for everyone unless they chose English with the language switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; the brief is that
    fermwerk speaks Dutch by default, whatever language the browser was installed in.
    """

    def middleware(request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

    return middleware


def no_store_middleware(get_response):
    """Nothing shown to a logged-in user is kept in the browser's cache.

    Every page behind the login shows personal data (lists, case pages, the timeline, their
    HTMX fragments); on a shared computer the next user must not find them in the cache or
    behind the back button. A view that sets its own Cache-Control keeps it.
    """

    def middleware(request):
        response = get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True)
        return response

    return middleware


def whole_page_redirect(request, url):
    """A redirect of the whole page: htmx would follow a plain one and swap the page it leads to
    (a login form) into the fragment it asked for."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def current_page(request):
    """The page the user is on: for an HTMX request the page that sent it, not the fragment."""
    return (request.htmx and request.htmx.current_url_abs_path) or request.get_full_path()


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's, except that an HTMX request without a login sends the whole page to log in."""

    def handle_no_permission(self, request, view_func):
        if request.htmx:
            return HttpResponseClientRedirect(redirect_to_login(current_page(request)).url)
        return super().handle_no_permission(request, view_func)


def session_timeout_middleware(get_response):
    """A session ends SESSION_IDLE_TIMEOUT after its last request, and SESSION_ABSOLUTE_TIMEOUT
    after the login whatever happens in between; the user is told so on the login page.

    Kept in the session rather than with SESSION_SAVE_EVERY_REQUEST: that would end an idle
    session without a word, and write it on every request.
    """

    def middleware(request):
        if request.user.is_authenticated:
            if session_has_expired(request):
                logout(request)
                messages.info(request, _("Your session has expired; please log in again."))
                return whole_page_redirect(request, redirect_to_login(current_page(request)).url)
            keep_session_alive(request)
        return get_response(request)

    return middleware


def two_factor_middleware(get_response):
    """A user who logs in with an authenticator app sees nothing but its code page until they
    have entered a code: anyone with a confirmed device, and every manager and administrator,
    who without one is sent to set it up. The admin is behind this too.
    """

    def middleware(request):
        user = request.user
        if user.is_authenticated and not user.is_verified():
            if user.confirmed_totp_device() is not None:
                step = "two_factor_verify"
            elif user.requires_two_factor:
                step = "two_factor_setup"
            else:
                step = None
            if step and request.path_info not in {reverse(name) for name in SECOND_STEP_PAGES}:
                query = urlencode({"next": current_page(request)})
                return whole_page_redirect(request, f"{reverse(step)}?{query}")
        return get_response(request)

    return middleware
