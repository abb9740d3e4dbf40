"""Opening a file outside one's own caseload (break the glass): the view asks for a reason
first. A view raises ReasonRequired; the middleware turns it into the question."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

# The session remembers the files opened with a reason, so one reason covers the visit.
SESSION_KEY = "opened_with_reason"


class ReasonRequired(Exception):
    def __init__(self, client):
        super().__init__(client)
        self.client = client


def needs_reason(request, client):
    """Werkbedrijf staff open their own caseload and the unassigned files (the team's intake
    queue) freely; any other file needs a reason, once per session. Others only ever see
    what is shared with them, and need none."""
    user = request.user
    if not (user.is_superuser or user.has_perm("clients.view_client")):
        return False
    if client.consultant_id in (None, user.pk):
        return False
    return client.pk not in request.session.get(SESSION_KEY, [])


def remember_reason(request, client):
    request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, []), client.pk]


def safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


class ReasonMiddleware:
    """Asks for the reason where a view found it missing; HTMX is sent there as a full page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ReasonRequired):
            return None
        url = reverse("trajectories:open_with_reason", args=[exception.client.pk])
        if getattr(request, "htmx", False):
            # The page the fragment was asked for is where the user returns.
            target = request.headers.get("HX-Current-URL", "")
            return HttpResponseClientRedirect(f"{url}?{urlencode({'next': target})}")
        target = request.get_full_path() if request.method == "GET" else ""
        return redirect(f"{url}?{urlencode({'next': target})}" if target else url)
