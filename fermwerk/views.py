from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render

from clients.models import Client
from provisions.models import ChainStep
from trajectories.models import Case


def home(request):
    if request.user.has_perm("clients.view_client") and request.user.clients.exists():
        return redirect("trajectories:mine")
    return redirect("trajectories:list")


def reports(request):
    """An overview for managers: where residents stand and how full each chain step is, read
    from the stored state of the cases."""
    if not request.user.has_perm("clients.view_reports"):
        raise Http404
    clients = Client.objects.visible_to(request.user)
    cases = Case.objects.visible_to(request.user)
    by_municipality = list(
        clients.order_by("municipality__name").values("municipality__name").annotate(n=Count("pk"))
    )
    return render(
        request,
        "reports/overview.html",
        {
            "total": sum(row["n"] for row in by_municipality),
            "by_stage": cases.stage_counts(),
            "by_category": cases.category_counts(),
            "by_municipality": by_municipality,
            "chain_steps": ChainStep.objects.with_occupancy(),
        },
    )
