from django.contrib.auth.decorators import permission_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from .models import Membership, Organisation, OrganisationKind


@permission_required("partners.view_organisation", raise_exception=True)
def organisation_list(request):
    organisations = Organisation.objects.with_counts().prefetch_related("municipalities")
    kind = request.GET.get("soort", "")
    if kind in OrganisationKind.values:
        organisations = organisations.filter(kind=kind)
    return render(
        request,
        "partners/list.html",
        {"organisations": organisations, "kinds": OrganisationKind.choices, "selected_kind": kind},
    )


@permission_required("partners.view_organisation", raise_exception=True)
def organisation_detail(request, pk):
    organisation = get_object_or_404(
        Organisation.objects.prefetch_related(
            "municipalities",
            Prefetch("memberships", Membership.objects.select_related("user")),
        ),
        pk=pk,
    )
    # Through the reverse relation: the catalogue sits above this app.
    provisions = list(organisation.provisions.select_related("chain_step", "municipality"))
    return render(
        request, "partners/detail.html", {"organisation": organisation, "provisions": provisions}
    )
