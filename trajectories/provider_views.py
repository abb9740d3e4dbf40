"""The pages of a provider's staff (Role.PROVIDER): the proposals and placements in their own
provisions, their answers and reports, and their provisions' capacity. Every placement comes
through Placement.objects.for_provider, so anything else answers 404; nothing here shows a
resident's case, BSN, assessment or notes."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.models import AccessLog
from partners.models import Role
from provisions.models import Provision

from . import forms
from .models import AbsenceReport, Action, Case, Goal, Placement

PAGE_SIZE = 25

# Each step a provider can take, by the status a placement must have for it.
PROVIDER_STEPS = {
    "accept": (
        forms.ProviderAcceptForm,
        [Placement.Status.PROPOSED],
        gettext_lazy("Accept the proposal"),
        gettext_lazy("You accepted the proposal; the consultant sees your answer."),
    ),
    "decline": (
        forms.ProviderDeclineForm,
        [Placement.Status.PROPOSED],
        gettext_lazy("Decline the proposal"),
        gettext_lazy("You declined the proposal; the consultant sees your reason."),
    ),
    "start": (
        forms.ProviderStartForm,
        [Placement.Status.ACCEPTED],
        gettext_lazy("Report the start"),
        gettext_lazy("The start is recorded."),
    ),
    "absence": (
        forms.AbsenceReportForm,
        [Placement.Status.ACTIVE],
        gettext_lazy("Report absence"),
        gettext_lazy("The absence is reported to the consultant."),
    ),
    "end": (
        forms.ProviderEndForm,
        [Placement.Status.ACCEPTED, Placement.Status.ACTIVE],
        gettext_lazy("Report the end"),
        gettext_lazy("The end of the placement is recorded."),
    ),
}


def require_provider(user):
    """The provider's organisation; 404 for anyone who is not a provider's staff member."""
    if user.role != Role.PROVIDER or user.organisation is None:
        raise Http404
    return user.organisation


def provider_provisions(user):
    """The provisions of the provider the user works for (none for anyone else)."""
    if user.role != Role.PROVIDER:
        return Provision.objects.none()
    return Provision.objects.filter(provider__memberships__user=user)


def provider_placement(request, placement_pk):
    return get_object_or_404(
        Placement.objects.for_provider(request.user).select_related("client", "provision"),
        pk=placement_pk,
    )


def paged(request, queryset, param):
    """One page of a list, with links to its neighbours that keep the other lists' pages."""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(param))

    def link(number):
        query = request.GET.copy()
        query[param] = number
        return f"?{query.urlencode()}"

    page.previous_url = link(page.previous_page_number()) if page.has_previous() else None
    page.next_url = link(page.next_page_number()) if page.has_next() else None
    return page


def inbox(request):
    """Proposals awaiting an answer (the agreed answer date first), current placements, the
    waiting lists and the placements ended lately, in the provider's own provisions."""
    organisation = require_provider(request.user)
    mine = Placement.objects.for_provider(request.user).select_related("client", "provision")
    Status = Placement.Status
    since = date.today() - timedelta(days=settings.RECENT_PLACEMENT_DAYS)
    context = {
        "organisation": organisation,
        "proposed": paged(
            request,
            mine.filter(status=Status.PROPOSED)
            .with_response_due()
            .order_by(F("response_due_on").asc(nulls_last=True), "proposed_on", "pk"),
            "voorstellen",
        ),
        "current": paged(
            request,
            mine.filter(status__in=[Status.ACCEPTED, Status.ACTIVE]).order_by(
                "provision__name", "client__last_name", "pk"
            ),
            "lopend",
        ),
        "waiting": paged(
            request,
            mine.filter(status=Status.WAITING).order_by("provision__name", "pk"),
            "wachtlijst",
        ),
        "ended": paged(
            request,
            mine.filter(status=Status.ENDED, end_on__gte=since).order_by("-end_on", "-pk"),
            "beeindigd",
        ),
        "provisions": list(provider_provisions(request.user).order_by("name")),
    }
    return render(request, "trajectories/provider/inbox.html", context)


def goals_for_provider(placement):
    """The goals of the resident's plan that concern the provider: those with an action the
    plan gives to the provider's organisation, each with only those actions. The rest of the
    plan (and the assessment, diagnosis and notes) stays with the werkbedrijf."""
    provider = placement.provision.provider_id
    actions = Action.objects.filter(responsible_organisation=provider)
    return list(
        Goal.objects.filter(
            plan__client=placement.client_id, actions__responsible_organisation=provider
        )
        .distinct()
        .prefetch_related(Prefetch("actions", actions))
    )


def placement_detail(request, placement_pk):
    """What a provider needs of one placement: who, how to reach them, the dates, the goals
    that concern the provider, and the absence reported so far."""
    require_provider(request.user)
    placement = get_object_or_404(
        Placement.objects.for_provider(request.user)
        .with_response_due()
        .select_related("client", "provision__provider", "answered_by"),
        pk=placement_pk,
    )
    AccessLog.objects.record(
        request.user,
        AccessLog.Action.PROVIDER_VIEW,
        clients=[placement.client],
        detail=f"{placement.provision} ({placement.pk})",
    )
    steps = [
        (step, title)
        for step, (_form, statuses, title, _done) in PROVIDER_STEPS.items()
        if placement.status in statuses
    ]
    return render(
        request,
        "trajectories/provider/placement.html",
        {
            "placement": placement,
            "resident": placement.client,
            "goals": goals_for_provider(placement),
            "absence_reports": list(
                AbsenceReport.objects.filter(placement=placement).select_related("reported_by")
            ),
            "steps": steps,
        },
    )


def placement_step(request, placement_pk, step):
    """Accept or decline a proposal, report a start, absence or an end: a plain form that
    redirects to the placement once saved; a step the placement's status does not allow is
    not there (404)."""
    require_provider(request.user)
    placement = provider_placement(request, placement_pk)
    form_class, statuses, title, done = PROVIDER_STEPS[step]
    if placement.status not in statuses:
        raise Http404
    form = form_class(placement, request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save_or_explain()
            if saved:
                AccessLog.objects.record(
                    request.user,
                    AccessLog.Action.PROVIDER_REPORT,
                    clients=[placement.client],
                    detail=f"{step}: {placement.provision} ({placement.pk})",
                )
        if saved:
            messages.success(request, done)
            return redirect("trajectories:provider_placement", placement.pk)
    return render(
        request,
        "trajectories/provider/step.html",
        {"placement": placement, "resident": placement.client, "form": form, "title": title},
    )


def capacity(request, provision_pk):
    """Keep a provision's capacity current; never below the places taken. A place that comes
    free is then offered to the first in line, as the waiting list's rules say."""
    require_provider(request.user)
    provision = get_object_or_404(provider_provisions(request.user), pk=provision_pk)
    form = forms.CapacityForm(provision, request.POST or None)
    if request.method == "POST" and form.is_valid():
        before = provision.capacity_places
        with transaction.atomic():
            saved = form.save_or_explain()
            if saved:
                # Whoever now heads the line with a place free sees it on their case.
                Case.objects.refresh_line(provision.pk)
                AccessLog.objects.record(
                    request.user,
                    AccessLog.Action.PROVIDER_REPORT,
                    detail=f"capacity {provision}: {before} -> {provision.capacity_places}",
                )
        if saved:
            messages.success(
                request,
                _("The capacity of %(provision)s is now %(places)s places.")
                % {"provision": provision, "places": provision.capacity_places},
            )
            return redirect("trajectories:provider_inbox")
    return render(
        request,
        "trajectories/provider/capacity.html",
        {"provision": provision, "form": form},
    )
