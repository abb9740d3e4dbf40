from django.contrib.auth.decorators import permission_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from partners.models import Municipality

from .models import ChainStep, FundingRegime, Provision

# The largest key a row can have (64-bit); a larger number in a URL matches nothing.
MAX_ID = 2**63 - 1


@permission_required("provisions.view_provision", raise_exception=True)
def provision_list(request):
    """The provisions grouped by step of the participation chain, filterable by place and regime."""
    provisions = Provision.objects.with_occupancy().select_related(
        "provider", "municipality", "work_learning_line"
    )
    municipality = request.GET.get("gemeente", "")
    regime = request.GET.get("regime", "")
    if municipality.isascii() and municipality.isdigit() and int(municipality) <= MAX_ID:
        provisions = provisions.serving(int(municipality))
    if regime in FundingRegime.values:
        provisions = provisions.filter(funding_regime=regime)
    steps = ChainStep.objects.prefetch_related(Prefetch("provisions", provisions))
    return render(
        request,
        "provisions/list.html",
        {
            "steps": steps,
            "municipalities": Municipality.objects.all(),
            "regimes": FundingRegime.choices,
            "selected_municipality": municipality,
            "selected_regime": regime,
        },
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
