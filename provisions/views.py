from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .forms import ChainFilterForm, TariffForm
from .models import (
    ChainStep,
    Provision,
    Tariff,
    TariffKind,
    WorkLearningLine,
    WorkLearningStep,
    regimes_mapped,
)


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
def work_learning_lines(request):
    """Each work-learning line: its steps in order with the partners involved and how many
    residents reached each, and the provisions that are part of it."""
    steps = WorkLearningStep.objects.annotate(residents=Count("reached_by")).prefetch_related(
        "partners"
    )
    provisions = Provision.objects.select_related("provider", "municipality", "chain_step")
    lines = WorkLearningLine.objects.prefetch_related(
        Prefetch("steps", steps.order_by("position")),
        Prefetch("provisions", provisions.order_by("chain_step__position", "name")),
    )
    return render(request, "provisions/work_learning_lines.html", {"lines": lines})


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


@permission_required("provisions.view_tariff", raise_exception=True)
def tariff_list(request):
    """Every kind of tariff with its figures, newest first, the one in force today marked."""
    today = date.today()
    by_kind = {kind: [] for kind in TariffKind}
    for tariff in Tariff.objects.all():
        tariff.in_force = tariff.is_valid_on(today)
        by_kind[tariff.kind].append(tariff)
    kinds = [(TariffKind(kind), tariffs) for kind, tariffs in by_kind.items()]
    return render(request, "provisions/tariffs.html", {"kinds": kinds})


def tariff_new(request, kind):
    """Record a new figure of one kind from a date: managers only, like the reports."""
    if not request.user.has_perm("provisions.add_tariff") or kind not in TariffKind.values:
        raise Http404
    form = TariffForm(kind, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        tariff = form.save()
        messages.success(
            request,
            _("The new figure for %(kind)s is recorded from %(date)s.")
            % {"kind": tariff.get_kind_display(), "date": tariff.valid_from.strftime("%d-%m-%Y")},
        )
        return redirect("provisions:tariffs")
    current = Tariff.objects.filter(kind=kind).valid_on(date.today()).first()
    return render(
        request,
        "provisions/tariff_form.html",
        {"form": form, "kind": TariffKind(kind), "current": current},
    )
