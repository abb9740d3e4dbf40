"""The business case: the options for a group of residents, or for one resident from their
case page, side by side over a horizon, from the tariffs in force on a chosen day."""

from django.http import Http404
from django.shortcuts import render

from clients.models import AccessLog, Part, parts_visible_to
from provisions.business_case import Option
from provisions.forms import BusinessCaseForm
from provisions.models import FundingRegime

from .forms import BusinessCaseSelectionForm
from .models import Placement
from .views import case_client

# The option a placement at a step of the seeded chain stands for; day activities under the
# Wlz are paid by the zorgkantoor, any other by the municipality's Wmo budget.
OPTION_AT_STEP = {
    2: Option.WMO_DAY_ACTIVITIES,
    3: Option.VOLUNTEERING,
    4: Option.BESCHUT_WERK,
    5: Option.GARANTIEBAAN,
}


def business_case(request):
    """The options for the residents of a selection (a municipality, a caseload, a chain step):
    per resident per year, and for all of them over the horizon. Werkbedrijf staff only: the
    selection counts residents in the municipalities they see."""
    if not request.user.has_perm("clients.view_client"):
        raise Http404
    form = BusinessCaseForm(request.GET)
    selection = BusinessCaseSelectionForm(request.user, request.GET)
    comparison = None
    if form.is_valid() and selection.is_valid():
        comparison = form.comparison(residents=selection.residents())
    return render(
        request,
        "trajectories/business_case.html",
        {"form": form, "selection": selection, "comparison": comparison},
    )


def resident_business_case(request, pk):
    """The options for one resident, compared with where they are placed now (when the user
    may see their placements)."""
    client = case_client(request, pk)
    if client.anonymised_on:
        raise Http404
    placement = None
    if Part.PLACEMENTS in parts_visible_to(request.user, client):
        placement = (
            client.placements.filter(status=Placement.Status.ACTIVE)
            .select_related("provision__chain_step")
            .order_by("-start_on", "-pk")
            .first()
        )
    current = option_of(placement)
    form = BusinessCaseForm(request.GET, defaults={"basis": current or Option.WMO_DAY_ACTIVITIES})
    comparison = form.comparison() if form.is_valid() else None
    AccessLog.objects.record(
        request.user, AccessLog.Action.VIEW_CASE, clients=[client], detail="business case"
    )
    return render(
        request,
        "trajectories/business_case.html",
        {
            "form": form,
            "client": client,
            "placement": placement,
            "current": current,
            "comparison": comparison,
        },
    )


def option_of(placement):
    """The option a placement stands for, or None (no placement, or at a step none stands
    for)."""
    if placement is None:
        return None
    if placement.provision.funding_regime == FundingRegime.WLZ:
        return Option.WLZ_DAY_ACTIVITIES
    return OPTION_AT_STEP.get(placement.provision.chain_step.position)
