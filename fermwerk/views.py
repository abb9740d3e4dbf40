from django.http import Http404
from django.shortcuts import redirect, render

from clients.models import Client
from partners.models import Municipality
from provisions.models import ChainStep
from trajectories.models import CaseCount, category_counts, stage_counts


def home(request):
    if not request.user.has_perm("clients.view_client"):
        # Social teams and providers work in the cases shared with them.
        return redirect("trajectories:shared")
    if request.user.clients.exists():
        return redirect("trajectories:mine")
    return redirect("trajectories:list")


def reports(request):
    """An overview for managers: where residents stand and how full each chain step is, read
    from the counts the cases keep, for the municipalities whose residents the user may see."""
    if not request.user.has_perm("clients.view_reports"):
        raise Http404
    visible = Client.objects.municipalities_visible_to(request.user)
    tally = CaseCount.objects.filter(municipality__in=visible).tally()
    per_municipality = {}
    for (municipality, _stage, _category), count in tally.items():
        per_municipality[municipality] = per_municipality.get(municipality, 0) + count
    municipalities = Municipality.objects.filter(pk__in=per_municipality)
    return render(
        request,
        "reports/overview.html",
        {
            "total": sum(tally.values()),
            "by_stage": stage_counts(tally),
            "by_category": category_counts(tally),
            "by_municipality": [(m, per_municipality[m.pk]) for m in municipalities],
            "chain_steps": ChainStep.objects.with_occupancy(),
        },
    )
