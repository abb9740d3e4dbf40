from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .forms import AgreementForm, ContactForm, ProcessDocumentForm
from .models import (
    Agreement,
    Membership,
    Organisation,
    OrganisationKind,
    ProcessDocument,
    Role,
)


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


def agreements_with_documents():
    documents = ProcessDocument.objects.order_by("title", "pk")
    return Agreement.objects.select_related("organisation", "contact").prefetch_related(
        Prefetch("documents", documents)
    )


@permission_required("partners.view_organisation", raise_exception=True)
def organisation_detail(request, pk):
    organisation = get_object_or_404(
        Organisation.objects.prefetch_related(
            "municipalities",
            "contacts",
            Prefetch("memberships", Membership.objects.select_related("user")),
            Prefetch("agreements", agreements_with_documents()),
        ),
        pk=pk,
    )
    # Through the reverse relation: the catalogue sits above this app.
    provisions = list(
        organisation.provisions.select_related("chain_step", "municipality").order_by(
            "chain_step__position", "name"
        )
    )
    return render(
        request,
        "partners/detail.html",
        {
            "organisation": organisation,
            "provisions": provisions,
            # A provider's staff see how their own organisation answers, not another's.
            "show_overdue": request.user.role != Role.PROVIDER
            or request.user.organisation == organisation,
            "can_keep_covenant": request.user.has_perm("partners.change_agreement"),
            "can_upload": request.user.has_perm("partners.add_processdocument"),
        },
    )


@permission_required("partners.view_agreement", raise_exception=True)
def covenant(request):
    """Every agreement under the covenant, per partner: the steps it owns, how soon it
    answers a proposal, whom to call, and its process descriptions."""
    return render(
        request,
        "partners/covenant.html",
        {
            "agreements": agreements_with_documents(),
            "can_upload": request.user.has_perm("partners.add_processdocument"),
        },
    )


def keeper_of(request, permission):
    """404 for anyone who may not keep the covenant (managers and administrators may)."""
    if not request.user.has_perm(permission):
        raise Http404


def edit_form(request, form, organisation, title):
    """Save a valid posted form and return to the partner's page; else show it."""
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect(organisation)
    return render(
        request,
        "partners/form.html",
        {"form": form, "organisation": organisation, "title": title},
    )


def contact_edit(request, pk, contact_pk=None):
    keeper_of(request, "partners.change_contact" if contact_pk else "partners.add_contact")
    organisation = get_object_or_404(Organisation, pk=pk)
    contact = get_object_or_404(organisation.contacts, pk=contact_pk) if contact_pk else None
    form = ContactForm(organisation, request.POST or None, instance=contact)
    title = _("Edit contact person") if contact else _("Add a contact person")
    return edit_form(request, form, organisation, title)


def agreement_edit(request, pk, agreement_pk=None):
    keeper_of(request, "partners.change_agreement" if agreement_pk else "partners.add_agreement")
    organisation = get_object_or_404(Organisation, pk=pk)
    agreement = (
        get_object_or_404(organisation.agreements, pk=agreement_pk) if agreement_pk else None
    )
    form = AgreementForm(organisation, request.POST or None, instance=agreement)
    title = _("Edit covenant agreement") if agreement else _("Add a covenant agreement")
    return edit_form(request, form, organisation, title)


def document_upload(request, pk, agreement_pk):
    keeper_of(request, "partners.add_processdocument")
    agreement = get_object_or_404(
        Agreement.objects.select_related("organisation"), organisation=pk, pk=agreement_pk
    )
    form = ProcessDocumentForm(
        agreement,
        request.user,
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The process description is uploaded."))
        return redirect(agreement.organisation)
    return render(
        request,
        "partners/form.html",
        {
            "form": form,
            "organisation": agreement.organisation,
            "title": _("Upload a process description"),
            "submit_label": _("Upload"),
        },
    )
