from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from fermwerk.pagination import CappedPaginator
from trajectories.timeline import TimelineFilterForm

from .forms import ClientFilterForm, ClientForm
from .models import Client, Stage

PAGE_SIZE = 25
# Lists count at most this many residents; past it they say "more than" (see CappedPaginator).
COUNT_CAP = 1000


@vary_on_headers("HX-Request")
def client_list(request, mine=False):
    """All residents the user may see, or (mine) the consultant's own caseload; searchable."""
    clients = Client.objects.visible_to(request.user)
    if mine:
        clients = clients.filter(consultant=request.user)
    filters = ClientFilterForm(request.GET)
    ids = filters.apply(clients).values_list("pk", flat=True)
    page = CappedPaginator(ids, PAGE_SIZE, cap=COUNT_CAP).get_page(request.GET.get("page"))
    # The annotations run for this page's rows only, not for the whole list.
    page.object_list = (
        Client.objects.filter(pk__in=page.object_list)
        .with_cycle()
        .with_next_step()
        .select_related("municipality", "consultant")
    )
    template = "clients/list.html#results" if request.htmx else "clients/list.html"
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


def register(request):
    """Register a resident; a BSN already on file leads to that file instead."""
    if not request.user.has_perm("clients.add_client"):
        raise PermissionDenied
    form = ClientForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            client = form.save()
            client.refresh_stage()
            messages.success(request, _("%(name)s is registered.") % {"name": client})
            return redirect(client)
        if form.existing:
            messages.info(
                request,
                _("%(name)s was already registered with this BSN: this is the existing file.")
                % {"name": form.existing},
            )
            return redirect(form.existing)
    return render(request, "clients/register.html", {"form": form})


def edit(request, pk):
    """Change a resident's personal details or consultant; the history keeps the old values."""
    client = get_object_or_404(Client.objects.editable_by(request.user), pk=pk)
    form = ClientForm(
        request.POST if request.method == "POST" else None, instance=client, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The personal details are saved."))
        return redirect(client)
    return render(request, "clients/register.html", {"form": form, "client": client})


def case_context(request, client):
    """What the case page shows of a resident, shared by the page and its HTMX updates."""
    return {
        "client": client,
        "case": client.case_file(),
        "stages": Stage.choices,
        "show_bsn": request.user.has_perm("clients.view_bsn"),
        "can_edit": Client.objects.editable_by(request.user).filter(pk=client.pk).exists(),
        "timeline_filters": TimelineFilterForm(),
    }


def case_client(request, pk):
    """The resident with what the case page shows of them; 404 for whoever may not see it."""
    return get_object_or_404(
        Client.objects.visible_to(request.user)
        .with_cycle()
        .with_next_step()
        .select_related("municipality", "consultant"),
        pk=pk,
    )


def client_detail(request, pk):
    client = case_client(request, pk)
    return render(request, "clients/detail.html", case_context(request, client))
