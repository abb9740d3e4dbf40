"""Flows along the participation chain: the picture, its tables, and the residents behind
each figure. Werkbedrijf staff only (the counts cover the municipalities they see)."""

from django.http import Http404
from django.shortcuts import render

from clients.models import Client
from clients.pagination import CappedPaginator
from provisions.models import ChainStep

from .chain_flows import CAME_IN, END_LABELS, LEFT, placements_behind
from .forms import FlowFilterForm
from .models import Blocker, Placement
from .views import COUNT_CAP, PAGE_SIZE


def may_read_flows(user):
    if not user.has_perm("clients.view_client"):
        raise Http404


def flows(request):
    """The moves between chain steps over a period, as a Sankey diagram and as tables."""
    may_read_flows(request.user)
    filters = FlowFilterForm(request.user, request.GET)
    chain_flows = filters.flows() if filters.is_valid() else None
    return render(
        request,
        "trajectories/flows.html",
        {"filters": filters, "flows": chain_flows},
    )


def flow_residents(request):
    """The residents behind one figure of the flows page (`van`, `naar`, `knelpunt`), of those
    the user may see, a page at a time."""
    may_read_flows(request.user)
    filters = FlowFilterForm(request.user, request.GET)
    if not filters.is_valid():
        return render(
            request,
            "trajectories/flows.html",
            {"filters": filters, "flows": None},
        )
    steps = dict(ChainStep.objects.values_list("pk", "name"))
    source, target, blocker = figure_of(request.GET, steps)
    data = filters.cleaned_data
    placements = placements_behind(data["start"], data["end"], source, target, blocker).filter(
        client__in=Client.objects.visible_to(request.user)
    )
    if data["municipality"]:
        placements = placements.filter(client__municipality=data["municipality"])
    ids = placements.order_by("-start_on", "-pk").values_list("pk", flat=True)
    paginator = CappedPaginator(ids, PAGE_SIZE, cap=COUNT_CAP, counted=placements)
    page = paginator.get_page(request.GET.get("page"))
    rows = (
        Placement.objects.filter(pk__in=list(page.object_list))
        .select_related(
            "client",
            "provision__chain_step",
            "transition_in__from_placement__provision",
            "transition_out__to_placement__provision",
        )
        .order_by("-start_on", "-pk")
    )
    return render(
        request,
        "trajectories/flow_residents.html",
        {
            "filters": filters,
            "page_obj": page,
            "placements": rows,
            "figure": describe(source, target, blocker, steps),
        },
    )


def figure_of(query, steps):
    """(source, target, blocker) from the query string, `steps` the chain steps as {pk:
    name}; 404 for anything unknown."""
    source, target, blocker = query.get("van"), query.get("naar"), query.get("knelpunt")

    def step_or(value, *names):
        if value is None or value in names:
            return value
        if value.isdigit() and int(value) in steps:
            return int(value)
        raise Http404

    source, target = step_or(source, CAME_IN), step_or(target, *LEFT.values())
    if blocker is not None:
        if not blocker.isdigit() or not Blocker.objects.filter(pk=blocker).exists():
            raise Http404
        return None, None, int(blocker)
    if source is None and target is None:
        raise Http404
    return source, target, None


def describe(source, target, blocker, steps):
    """(from, to, blocker) as names for the heading: None where the figure does not say."""
    names = {**steps, **END_LABELS}
    if blocker is not None:
        return None, None, Blocker.objects.get(pk=blocker).name
    return names.get(source), names.get(target), None
