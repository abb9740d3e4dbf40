from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render

from clients.models import Client
from provisions.models import ChainStep


def home(request):
    if request.user.has_perm("clients.view_client") and request.user.clients.exists():
        return redirect("clients:mine")
    return redirect("clients:list")


def reports(request):
    """An overview for managers: where residents stand and how full each chain step is."""
    if not request.user.has_perm("clients.view_reports"):
        raise Http404
    clients = Client.objects.visible_to(request.user)
    return render(
        request,
        "reports/overview.html",
        {
            "total": clients.count(),
            "by_stage": clients.stage_counts(),
            "by_category": clients.category_counts(),
            "by_municipality": clients.values("municipality__name")
            .annotate(count=Count("pk"))
            .order_by("municipality__name"),
            "chain_steps": ChainStep.objects.with_occupancy(),
        },
    )
