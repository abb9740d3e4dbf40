"""The pages of the cycle: the caseload and client list, the case page, and the steps of the
cycle on it, each one a form that HTMX swaps in, or a full page."""

from datetime import timedelta
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url, reswap, retarget

from clients.bsn import full_bsn, mask_bsn
from clients.forms import ClientForm, ReasonForm, ShareForm
from clients.models import (
    ALL_PARTS,
    AccessLog,
    Client,
    Share,
    StaleRecord,
    parse_dutch_date,
    parts_visible_to,
)
from clients.pagination import CappedPaginator
from partners.models import Organisation, Role
from provisions.models import Provision

from . import forms
from .access import ReasonRequired, needs_reason, remember_reason, safe_next
from .history import client_history
from .models import (
    AbsenceReport,
    Action,
    Case,
    DomainScore,
    FormDraft,
    Goal,
    Placement,
    Referral,
    Stage,
    StepReached,
)
from .timeline import TimelineFilterForm, case_timeline

PAGE_SIZE = 25
# Lists count at most this many residents; past it they say "more than" (see CappedPaginator).
COUNT_CAP = 1000
# A user who may not see full BSNs could confirm a guessed one by searching for it: they may
# search for so many full BSNs an hour.
BSN_SEARCHES_PER_HOUR = 10


def bsn_search_refused(request, filters):
    """Log a full-BSN search by a user who may not see BSNs; refuse it past the hourly limit."""
    query = filters.cleaned_data.get("q", "") if filters.is_valid() else ""
    # A date of birth (dd-mm-jjjj) has eight digits too, but the search takes it as a date.
    if request.user.has_perm("clients.view_bsn") or not full_bsn(query) or parse_dutch_date(query):
        return False
    hour_ago = timezone.now() - timedelta(hours=1)
    searches = AccessLog.objects.bsn_searches_since(request.user, hour_ago).count()
    if searches >= BSN_SEARCHES_PER_HOUR:
        filters.add_error(
            "q",
            _(
                "You searched for %(limit)s full BSNs in the past hour, the most allowed. "
                "Search by name or date of birth, or try again later."
            )
            % {"limit": BSN_SEARCHES_PER_HOUR},
        )
        return True
    found = Client.objects.visible_to(request.user).search(query)[:1]
    AccessLog.objects.record(
        request.user,
        AccessLog.Action.BSN_SEARCH,
        clients=list(found),
        detail=mask_bsn(full_bsn(query)),
    )
    return False


@vary_on_headers("HX-Request")
def client_list(request, mine=False):
    """All residents the user may see, or (mine) the consultant's own caseload; searchable,
    and filtered by the stored state of their cases."""
    if not request.user.has_perm("clients.view_client"):
        # Social teams and providers have their own list: the cases shared with them.
        raise Http404
    clients = Client.objects.visible_to(request.user)
    cases = Case.objects.visible_to(request.user)
    if mine:
        clients = clients.filter(consultant=request.user)
        cases = cases.filter(consultant=request.user)
    filters = forms.ClientFilterForm(request.GET)
    if bsn_search_refused(request, filters):
        clients, cases = clients.none(), cases.none()
    if filters.searches():
        ids, counted = filters.apply(clients), None
    else:
        # Without a search the cases alone say how many there are, through their own indexes;
        # in a caseload, which residents too, in the order of the names the cases keep.
        counted = filters.filter_cases(cases)
        ids = counted.in_name_order() if mine else filters.apply(clients)
    ids = ids.values_list("pk", flat=True)
    paginator = CappedPaginator(ids, PAGE_SIZE, cap=COUNT_CAP, counted=counted)
    page = paginator.get_page(request.GET.get("page"))
    # The rows of this page only, each with its case.
    page.object_list = list(
        Client.objects.filter(pk__in=page.object_list)
        .select_related("municipality", "consultant", "case__category")
        .annotate(
            response_overdue=Exists(
                Placement.objects.response_overdue().filter(client=OuterRef("pk"))
            ),
            provider_answer=Subquery(
                Placement.objects.answered_lately()
                .filter(client=OuterRef("pk"))
                .order_by("-answered_at")
                .values("status")[:1]
            ),
        )
    )
    if filters.searches() and page.object_list:
        # Who was found by whose search is part of the access log.
        AccessLog.objects.record(
            request.user,
            AccessLog.Action.SEARCH,
            clients=page.object_list,
            detail=searched_for(filters),
        )
    template = "trajectories/list.html#results" if request.htmx else "trajectories/list.html"
    return render(
        request,
        template,
        {
            "page_obj": page,
            "filters": filters,
            "query": filters.cleaned_data.get("q", "") if filters.is_valid() else "",
            "mine": mine,
            "show_bsn": request.user.has_perm("clients.view_bsn"),
            "can_register": request.user.has_perm("clients.add_client"),
        },
    )


def searched_for(filters):
    """The search as the log keeps it: a full BSN masked, the rest as typed."""
    query = filters.cleaned_data.get("q", "")
    return mask_bsn(full_bsn(query)) if full_bsn(query) else query


def register(request):
    """Register a resident and open their case; a BSN already on file leads to that file."""
    if not request.user.has_perm("clients.add_client"):
        raise PermissionDenied
    form = ClientForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                client = form.save()
                Case.objects.refresh(client.pk)
            messages.success(request, _("%(name)s is registered.") % {"name": client})
            return redirect(client)
        if form.duplicate:
            # The message tells the user this person is known here: that is an access too.
            AccessLog.objects.record(
                request.user, AccessLog.Action.DUPLICATE_BSN, clients=[form.duplicate]
            )
        if form.existing:
            messages.info(
                request,
                _("%(name)s was already registered with this BSN: this is the existing file.")
                % {"name": form.existing},
            )
            return redirect(form.existing)
    return render(request, "clients/register.html", {"form": form})


def edit(request, pk):
    """Change a resident's personal details or consultant; the history keeps the old values,
    the case follows (it keeps the municipality and consultant for the lists)."""
    client = editable_client(request, pk)
    form = ClientForm(
        request.POST if request.method == "POST" else None, instance=client, user=request.user
    )
    status = 200
    if request.method == "GET":
        AccessLog.objects.record(request.user, AccessLog.Action.VIEW_DETAILS, clients=[client])
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.save()
                Case.objects.refresh(client.pk)
        except StaleRecord:
            # Someone else saved first; the form now shows what they stored. A plain post
            # (this form is not sent through HTMX), so the page shows whatever the status.
            status = 409
        else:
            messages.success(request, _("The personal details are saved."))
            return redirect(client)
    return render(request, "clients/register.html", {"form": form, "client": client}, status=status)


def case_file(client):
    """The records of the cycle, each loaded with what the case page shows, in a fixed
    number of queries whatever the size of the file."""
    scores = DomainScore.objects.select_related("life_domain", "level")
    actions = Action.objects.select_related("responsible_organisation")
    goals = Goal.objects.prefetch_related(Prefetch("actions", actions))
    # Lists, so each is read once however often the page looks; of the intake, assessment
    # and diagnosis only the latest shows (the timeline has the others).
    records = SimpleNamespace(
        intakes=list(client.intakes.select_related("consultant")[:1]),
        assessments=list(
            client.assessments.select_related("current_rung", "attainable_rung").prefetch_related(
                Prefetch("scores", scores)
            )[:1]
        ),
        diagnoses=list(
            client.diagnoses.select_related(
                "category", "target_rung", "consultant"
            ).prefetch_related("interventions")[:1]
        ),
        plans=list(
            client.plans.select_related("consultant").prefetch_related(Prefetch("goals", goals))
        ),
        placements=list(
            client.placements.with_place_in_line()
            .with_response_due()
            .select_related("provision__chain_step", "provision__provider", "answered_by")
            .prefetch_related(
                Prefetch("absence_reports", AbsenceReport.objects.select_related("reported_by"))
            )
        ),
        reevaluations=list(
            client.reevaluations.select_related(
                "placement__provision", "rung_before", "assessment__current_rung"
            )
        ),
    )
    records.lines = StepReached.objects.lines_of(client, records.placements)
    return records


def case_context(request, client):
    """What the case page shows of a resident, shared by the page and its HTMX updates:
    to werkbedrijf staff all of it, to others the parts shared with their organisation."""
    user = request.user
    records = case_file(client)
    parts = parts_visible_to(user, client)
    staff = parts == ALL_PARTS
    can_edit = staff and Client.objects.editable_by(user).filter(pk=client.pk).exists()
    return {
        "client": client,
        "case": client.case,
        "records": records,
        "parts": parts,
        "primary_step": client.case.primary_step(records.placements),
        "response_overdue": any(p.response_is_overdue for p in records.placements),
        "stages": Stage.choices,
        "show_bsn": user.has_perm("clients.view_bsn"),
        "can_edit": can_edit,
        # Werkbedrijf staff note what they may edit; others what is shared with them.
        "can_note": can_edit or (not staff and user.has_perm("trajectories.add_casenote")),
        "can_share": staff and user.has_perm("clients.add_share"),
        "shares": (
            list(client.shares.select_related("organisation", "shared_by"))
            if user.has_perm("clients.view_share")
            else []
        ),
        # Others see on what basis and until when the case is shared with them.
        "shared_with_me": (
            [] if staff else list(Share.objects.active().with_user(user).filter(client=client))
        ),
        "viewed_by": (
            list(AccessLog.objects.filter(client=client).select_related("user")[:10])
            if staff
            else []
        ),
        "timeline_filters": TimelineFilterForm(parts=parts),
    }


def case_client(request, pk, clients=None):
    """The resident with their case; 404 for whoever may not see it, and the question for a
    reason first when the file lies outside the user's caseload (see access.py)."""
    clients = clients if clients is not None else Client.objects.visible_to(request.user)
    clients = clients.select_related("municipality", "consultant", "case")
    client = get_object_or_404(clients, pk=pk)
    if needs_reason(request, client):
        raise ReasonRequired(client)
    if not hasattr(client, "case"):
        # A resident entered outside fermwerk's own pages (an import) gets a case here.
        Case.objects.refresh(client.pk)
        client = clients.get(pk=pk)
    return client


def case_detail(request, pk):
    client = case_client(request, pk)
    if client.anonymised_on:
        # Only the anonymous figures are left: nothing to read or work on.
        return render(request, "trajectories/anonymised.html", {"client": client})
    AccessLog.objects.record(request.user, AccessLog.Action.VIEW_CASE, clients=[client])
    return render(request, "trajectories/case.html", case_context(request, client))


def open_with_reason(request, pk):
    """Break the glass: say why before opening a file outside one's own caseload."""
    client = get_object_or_404(Client.objects.visible_to(request.user), pk=pk)
    target = safe_next(request, client.get_absolute_url())
    if not needs_reason(request, client):
        return redirect(target)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        AccessLog.objects.record(
            request.user,
            AccessLog.Action.BREAK_GLASS,
            clients=[client],
            reason=form.cleaned_data["reason"],
        )
        remember_reason(request, client)
        return redirect(target)
    context = {"client": client, "form": form, "next": target}
    return render(request, "trajectories/open_with_reason.html", context)


@permission_required("provisions.view_provision", raise_exception=True)
@vary_on_headers("HX-Request")
def waiting_list(request, provision_pk):
    """A provision's waiting list in order; residents the user may not see stay unnamed."""
    provision = get_object_or_404(Provision, pk=provision_pk)
    line = list(provision.placements.waiting_list().select_related("client"))
    # Werkbedrijf staff only: a share may leave the placements out, so partners see no names.
    named = Client.objects.visible_to(request.user)
    if not request.user.has_perm("clients.view_client"):
        named = named.none()
    visible = set(
        named.filter(pk__in=[placement.client_id for placement in line]).values_list(
            "pk", flat=True
        )
    )
    context = {
        "provision": provision,
        "waiting_list": [
            (place, placement if placement.client_id in visible else None)
            for place, placement in enumerate(line, start=1)
        ],
    }
    template = "trajectories/waiting_list.html"
    return render(request, f"{template}#line" if request.htmx else template, context)


@permission_required("partners.view_organisation", raise_exception=True)
@vary_on_headers("HX-Request")
def partner_overdue(request, organisation_pk):
    """The proposals a partner has left unanswered past the response time agreed in the
    covenant: on the partner's page (loaded after it), or alone without JavaScript. Everyone
    who may see the partner sees how many; werkbedrijf staff see the residents they may see."""
    organisation = get_object_or_404(Organisation, pk=organisation_pk)
    if request.user.role == Role.PROVIDER and request.user.organisation != organisation:
        raise Http404  # a provider's staff see how their own organisation answers only
    overdue = list(
        Placement.objects.response_overdue()
        .filter(provision__provider=organisation)
        .select_related("provision")
        .order_by("response_due_on", "pk")
    )
    named = Client.objects.visible_to(request.user)
    if not request.user.has_perm("clients.view_client"):
        named = named.none()
    visible = {
        client.pk: client
        for client in named.filter(pk__in=[placement.client_id for placement in overdue])
    }
    context = {
        "organisation": organisation,
        "overdue_count": len(overdue),
        "overdue": [
            (placement, visible[placement.client_id])
            for placement in overdue
            if placement.client_id in visible
        ],
    }
    template = "trajectories/partner_overdue.html"
    return render(request, f"{template}#overdue" if request.htmx else template, context)


def editable_client(request, pk):
    """The resident, if the user may work on the case; 404 for anyone else."""
    return case_client(request, pk, Client.objects.editable_by(request.user))


def annotatable_client(request, pk):
    """The resident, if the user may add notes to the case (a shared one too); else 404."""
    return case_client(request, pk, Client.objects.annotatable_by(request.user))


def draft_for(request, client, form_name):
    return FormDraft.objects.filter(user=request.user, client=client, form_name=form_name).first()


def bind(request, client, form_class, form_name, **kwargs):
    """The form bound to the post, or (on GET) filled from the user's draft if there is one."""
    if request.method == "POST":
        return form_class(client, request.user, data=request.POST, **kwargs), None
    draft = draft_for(request, client, form_name) if form_name else None
    initial = form_class.initial_from_draft(draft.data) if draft else None
    return form_class(client, request.user, initial=initial, **kwargs), draft


# Steps whose fields have a layout of their own (trajectories/fields/); the others list them.
OWN_LAYOUT = {"intake", "diagnosis", "reevaluation"}


def show_step(request, client, form, step, title, draft=None, **extra):
    """The step's form: its partial for HTMX, else the full page around it."""
    template = "trajectories/propose.html" if step == "propose" else "trajectories/step.html"
    fields = f"trajectories/fields/{step if step in OWN_LAYOUT else 'all'}.html"
    context = {"client": client, "form": form, "draft": draft, "step": step, "title": title}
    context["fields"] = fields
    if step in DRAFTABLE:
        context["draft_url"] = reverse("trajectories:save_draft", args=[client.pk, step])
    context |= extra
    if request.method == "GET" and not request.htmx:
        # A step's own page (a deep link) shows the case too; on the case page it is logged.
        AccessLog.objects.record(
            request.user, AccessLog.Action.VIEW_CASE, clients=[client], detail=step
        )
    return render(request, f"{template}#form" if request.htmx else template, context)


def step_done(request, client, message, form_name=None):
    """After a saved step: drop the draft, then show the case page with the message."""
    if form_name:
        FormDraft.objects.filter(user=request.user, client=client, form_name=form_name).delete()
    messages.success(request, message)
    return show_case(request, client)


def show_case(request, client):
    """The case page with the messages so far: HTMX swaps the whole case in place with the
    messages out of band; a plain post is redirected (no double posts)."""
    if not request.htmx:
        return redirect(client)
    context = case_context(request, case_client(request, client.pk))
    body = render_to_string("trajectories/case.html#case", context, request)
    body += render_to_string("base.html#messages", {"oob": True}, request)
    response = HttpResponse(body)
    push_url(response, client.get_absolute_url())
    return reswap(retarget(response, "#case"), "outerHTML")


def step_view(form_class, step, title, saved_message, find_client=editable_client):
    """A view for one step form of the cycle that needs only the resident; drafts are kept."""

    @vary_on_headers("HX-Request")
    def view(request, pk):
        client = find_client(request, pk)
        form, draft = bind(request, client, form_class, step)
        if request.method == "POST" and form.is_valid() and form.save_or_explain():
            return step_done(request, client, saved_message, step)
        return show_step(request, client, form, step, title, draft)

    view.__name__ = step
    return view


intake = step_view(
    forms.IntakeForm, "intake", gettext_lazy("Brede intake"), gettext_lazy("The intake is saved.")
)
diagnosis = step_view(
    forms.DiagnosisForm,
    "diagnosis",
    gettext_lazy("Diagnosis"),
    gettext_lazy("The diagnosis is saved."),
)
goal = step_view(
    forms.GoalForm,
    "goal",
    gettext_lazy("New goal in the plan of action"),
    gettext_lazy("The goal is added to the plan of action."),
)
action = step_view(
    forms.ActionForm,
    "action",
    gettext_lazy("New action"),
    gettext_lazy("The action is added."),
)
note = step_view(
    forms.CaseNoteForm,
    "note",
    gettext_lazy("Contact, note or case conference"),
    gettext_lazy("The note is saved."),
    find_client=annotatable_client,
)
reevaluation = step_view(
    forms.ReevaluationForm,
    "reevaluation",
    gettext_lazy("Re-evaluation"),
    gettext_lazy("The re-evaluation is saved."),
)
line_step = step_view(
    forms.StepReachedForm,
    "line_step",
    gettext_lazy("Step reached in a work-learning line"),
    gettext_lazy("The step in the work-learning line is recorded."),
)
DRAFTABLE = {"intake", "diagnosis", "goal", "action", "note", "reevaluation"}


def draft_client(request, pk, form_name):
    """The resident whose form the user is typing, if they may fill it in; else 404."""
    if form_name not in DRAFTABLE:
        raise Http404
    return (annotatable_client if form_name == "note" else editable_client)(request, pk)


@require_POST
def save_draft(request, pk, form_name):
    """Keep what the consultant typed so far (HTMX, as they type); answers with a short status."""
    client = draft_client(request, pk, form_name)
    # PostgreSQL's jsonb holds no NUL character; no form field accepts one either.
    data = {
        key.replace("\x00", ""): [value.replace("\x00", "") for value in values]
        for key, values in request.POST.lists()
        if key != "csrfmiddlewaretoken"
    }
    FormDraft.objects.update_or_create(
        user=request.user, client=client, form_name=form_name, defaults={"data": data}
    )
    saved_at = time_format(timezone.localtime(), "H:i")
    return HttpResponse(_("Draft saved at %(time)s") % {"time": saved_at})


@require_POST
def discard_draft(request, pk, form_name):
    client = draft_client(request, pk, form_name)
    FormDraft.objects.filter(user=request.user, client=client, form_name=form_name).delete()
    return redirect("trajectories:" + form_name, pk=client.pk)


@require_POST
def action_status(request, pk, action_pk):
    client = editable_client(request, pk)
    action = get_object_or_404(Action, pk=action_pk, goal__plan__client=client)
    form = forms.ActionStatusForm(client, request.user, data=request.POST, instance=action)
    if form.is_valid() and form.save_or_explain():
        return step_done(request, client, _("The status of the action is saved."))
    # A status changed by someone else meanwhile says so; anything else was not a status.
    refused = form.non_field_errors()
    messages.error(request, refused[0] if refused else _("Choose a valid status."))
    return show_case(request, client)


@vary_on_headers("HX-Request")
def propose(request, pk):
    """Choose a provision, filtered by chain step, municipality and free places; then propose."""
    client = editable_client(request, pk)
    filters = forms.ProvisionFilterForm(request.GET or None, client=client)
    provisions = filters.provisions()
    form, _draft = bind(request, client, forms.ProposeForm, None, provisions=provisions)
    if request.method == "POST" and form.is_valid():
        placement = form.save_or_explain()
        if placement:
            if placement.status == Placement.Status.WAITING:
                message = _("%(provision)s is full: the resident is number %(place)s in line.") % {
                    "provision": placement.provision,
                    "place": placement.place_in_line(),
                }
            else:
                message = _("The placement in %(provision)s is proposed.") % {
                    "provision": placement.provision
                }
            return step_done(request, client, message)
    if request.htmx and request.method == "GET" and "filter" in request.GET:
        return render(
            request,
            "trajectories/propose.html#choices",
            {"client": client, "form": form, "filters": filters},
        )
    return show_step(request, client, form, "propose", _("Propose a placement"), filters=filters)


# step: (form, title, message once done)
PLACEMENT_STEPS = {
    "accept": (
        forms.AcceptForm,
        gettext_lazy("The provider accepts"),
        gettext_lazy("The provider's acceptance for %(provision)s is recorded."),
    ),
    "start": (
        forms.StartForm,
        gettext_lazy("Start the placement"),
        gettext_lazy("The placement in %(provision)s has started."),
    ),
    "offer": (
        forms.OfferForm,
        gettext_lazy("A place is free: propose it"),
        gettext_lazy("A free place in %(provision)s is proposed."),
    ),
    "end": (
        forms.EndForm,
        gettext_lazy("End the placement"),
        gettext_lazy("The placement in %(provision)s has ended."),
    ),
    "transition": (
        forms.TransitionForm,
        gettext_lazy("Transition to another provision"),
        gettext_lazy("The move from %(provision)s is recorded."),
    ),
}


@vary_on_headers("HX-Request")
def placement_step(request, pk, placement_pk, step):
    """Move one placement on: accept, start, offer a free place, end, or transition."""
    client = editable_client(request, pk)
    placement = get_object_or_404(client.placements.select_related("provision"), pk=placement_pk)
    form_class, title, done = PLACEMENT_STEPS[step]
    form, _draft = bind(request, client, form_class, None, placement=placement)
    if request.method == "POST" and form.is_valid() and form.save_or_explain():
        return step_done(request, client, done % {"provision": placement.provision})
    return show_step(request, client, form, step, f"{title}: {placement.provision}")


@vary_on_headers("HX-Request")
def timeline(request, pk):
    """Every event of the case in order, filterable by kind."""
    client = case_client(request, pk)
    if not request.htmx:
        # Within the case page it is part of a view already logged.
        AccessLog.objects.record(request.user, AccessLog.Action.VIEW_TIMELINE, clients=[client])
    parts = parts_visible_to(request.user, client)
    filters = TimelineFilterForm(request.GET or None, parts=parts)
    context = {
        "client": client,
        "filters": filters,
        "events": case_timeline(client, filters.kinds(), parts, request.user),
    }
    template = "trajectories/timeline.html"
    return render(request, f"{template}#events" if request.htmx else template, context)


def change_history(request, pk):
    """Who changed what in the resident's file, field by field: for werkbedrijf staff only, as
    the old values may hold what a share leaves out."""
    if not request.user.has_perm("clients.view_client"):
        raise Http404
    client = case_client(request, pk)
    AccessLog.objects.record(request.user, AccessLog.Action.VIEW_HISTORY, clients=[client])
    changes = client_history(client, show_bsn=request.user.has_perm("clients.view_bsn"))
    page = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "trajectories/history.html", {"client": client, "page_obj": page})


@vary_on_headers("HX-Request")
def share(request, pk):
    """Share the case with a social team or provider, on a lawful basis, for a purpose."""
    if not request.user.has_perm("clients.add_share"):
        raise Http404
    client = editable_client(request, pk)
    form = ShareForm(
        request.POST if request.method == "POST" else None, client=client, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        shared = form.save()
        message = _("The case is shared with %(organisation)s until %(date)s.") % {
            "organisation": shared.organisation,
            "date": shared.valid_until.strftime("%d-%m-%Y"),
        }
        return step_done(request, client, message)
    return show_step(request, client, form, "share", _("Share the case"))


@require_POST
def withdraw_share(request, pk, share_pk):
    if not request.user.has_perm("clients.change_share"):
        raise Http404
    client = editable_client(request, pk)
    shared = get_object_or_404(Share.objects.active().filter(client=client), pk=share_pk)
    shared.withdraw(request.user)
    return step_done(
        request,
        client,
        _("Sharing with %(organisation)s is withdrawn.") % {"organisation": shared.organisation},
    )


def shared_cases(request):
    """A social team's list: the cases shared with their organisation now. A provider's
    staff have their own list (provider_views.inbox) and see no shared case."""
    if request.user.has_perm("clients.view_client") or request.user.role == Role.PROVIDER:
        raise Http404
    shares = Share.objects.listed_for(request.user)
    paginator = CappedPaginator(
        shares.values_list("pk", flat=True), PAGE_SIZE, cap=COUNT_CAP, counted=shares
    )
    page = paginator.get_page(request.GET.get("page"))
    # The rows of this page only, each with what the list shows of it.
    page.object_list = list(
        shares.filter(pk__in=page.object_list).select_related(
            "client__municipality", "client__case", "organisation", "shared_by"
        )
    )
    can_refer = request.user.has_perm("trajectories.add_referral")
    referrals = (
        Referral.objects.filter(organisation__memberships__user=request.user).select_related(
            "client", "referred_by"
        )[:10]
        if can_refer
        else []
    )
    return render(
        request,
        "trajectories/shared.html",
        {"page_obj": page, "referrals": referrals, "can_refer": can_refer},
    )


def refer(request):
    """A social team refers a resident to the werkbedrijf (aanmelding)."""
    if not request.user.has_perm("trajectories.add_referral") or not request.user.organisation:
        raise Http404
    form = forms.ReferralForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        referral = form.save()
        messages.success(
            request,
            _("The referral of %(name)s is sent to the werkbedrijf.")
            % {"name": referral.client.full_name},
        )
        return redirect("trajectories:shared")
    return render(request, "trajectories/refer.html", {"form": form})
