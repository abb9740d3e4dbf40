from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import Municipality, Role, User

from .bsn import normalise_bsn, validate_bsn
from .models import Client


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and shows ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ClientForm(forms.ModelForm):
    """Register a resident or change their details. A BSN already on file is reported, never
    registered twice."""

    optional_marker = True

    # Wider than the stored 9 digits: people type BSNs with spaces or dots.
    bsn = forms.CharField(
        label=_("BSN"),
        max_length=20,
        help_text=Client._meta.get_field("bsn").help_text,
    )

    class Meta:
        model = Client
        fields = [
            "first_name",
            "name_prefix",
            "last_name",
            "bsn",
            "date_of_birth",
            "municipality",
            "street_address",
            "postal_code",
            "city",
            "phone",
            "email",
            "consultant",
        ]
        widgets = {"date_of_birth": DateInput}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The file a duplicate BSN belongs to, when the user may see it.
        self.existing = None
        self.fields["bsn"].widget.attrs.update(inputmode="numeric", autocomplete="off")
        self.fields["municipality"].queryset = served_municipalities(user)
        self.fields["consultant"].queryset = (
            User.objects.filter(groups__name=Role.CONSULTANT, is_active=True)
            .distinct()
            .order_by("first_name", "last_name")
        )
        if not self.instance.pk:
            self.fields["consultant"].initial = user.pk

    def clean_bsn(self):
        bsn = normalise_bsn(self.cleaned_data["bsn"])
        validate_bsn(bsn)
        existing = Client.objects.filter(bsn=bsn).exclude(pk=self.instance.pk).first()
        if existing:
            if Client.objects.visible_to(self.user).filter(pk=existing.pk).exists():
                self.existing = existing
                raise forms.ValidationError(
                    _("A resident with this BSN is already registered."), code="duplicate"
                )
            raise forms.ValidationError(
                _(
                    "A resident with this BSN is already registered in a municipality you do not "
                    "serve. Ask the consultant there to transfer the file."
                ),
                code="duplicate_elsewhere",
            )
        return bsn

    def clean(self):
        cleaned = super().clean()
        consultant, municipality = cleaned.get("consultant"), cleaned.get("municipality")
        if (
            consultant
            and municipality
            and not served_municipalities(consultant).filter(pk=municipality.pk).exists()
        ):
            # They could not open the file: it would drop out of every caseload.
            self.add_error(
                "consultant",
                _(
                    "%(consultant)s does not work for %(municipality)s and could not open "
                    "this file. Choose a consultant who does."
                )
                % {"consultant": consultant, "municipality": municipality},
            )
        return cleaned

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born > date.today():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if born.year < 1900:
            raise forms.ValidationError(_("Check the year of birth."))
        return born


def served_municipalities(user):
    if user.has_perm("clients.view_all_clients"):
        return Municipality.objects.all()
    return Municipality.objects.filter(organisations__memberships__user=user).distinct()
