from django.contrib.auth.decorators import permission_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from .forms import ChainFilterForm
from .models import ChainStep, Provision, regimes_mapped


@permission_required("provisions.view_provision", raise_exception=True)
def provision_list(request):
    """The chain: its steps in order, each with its provisions, filterable by municipality,
    regime and form of participation; with a filter in error nothing is filtered."""
    filters = ChainFilterForm(request.GET)
    provisions = Provision.objects.with_occupancy().select_related(
        "provider", "municipality", "work_learning_line"
    )
    if filters.is_valid():
        provisions = filters.provisions(provisions)
    steps = ChainStep.objects.prefetch_related(Prefetch("provisions", provisions))
    return render(
        request,
        "provisions/list.html",
        {"steps": steps, "filters": filters},
    )


@permission_required("provisions.view_provision", raise_exception=True)
def provision_detail(request, pk):
    provision = get_object_or_404(
        Provision.objects.with_occupancy().select_related(
            "chain_step", "provider", "municipality", "work_learning_line"
        ),
        pk=pk,
    )
    return render(request, "provisions/detail.html", {"provision": provision})


@permission_required("provisions.view_provision", raise_exception=True)
def system_map(request):
    """The system mapped: per kind of provision its regime, who decides on access, who pays
    and what a place costs."""
    return render(
        request,
        "provisions/system_map.html",
        {"regimes": regimes_mapped(), "kinds": Provision.objects.kinds()},
    )
