from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import Municipality, Organisation, OrganisationKind, Role, User

from .bsn import normalise_bsn, validate_bsn
from .models import Client, LawfulBasis, Part, Share, StaleRecord


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and shows ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ClientForm(forms.ModelForm):
    """Register a resident or change their details. A BSN already on file is reported, never
    registered twice; a change based on details someone else has changed since is refused."""

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
        self.duplicate = None
        # After a refused save: (field, value stored now) for each field that differs.
        self.conflicts = []
        if self.instance.pk:
            # The version the user loaded travels with the form, so save() can tell whether
            # someone else saved in between.
            incomplete = _("This form is incomplete. Open the personal details again.")
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput,
                min_value=1,
                error_messages=dict.fromkeys(["required", "invalid", "min_value"], incomplete),
            )
            self.initial["version"] = self.instance.version
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
        # Telling the user reveals that the person is known: the view logs it.
        self.duplicate = existing
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

    def save(self, commit=True):
        """Register the resident, or save the changes if nobody else saved them since the
        form was loaded; otherwise raise StaleRecord and say in the form what differs."""
        if not self.instance.pk:
            return super().save(commit)
        try:
            self.instance.save_checked(self.cleaned_data["version"])
        except StaleRecord as stale:
            self.explain_conflict(stale)
            raise
        return self.instance

    def explain_conflict(self, stale):
        self.add_error(None, stale)
        self.conflicts = [
            (self[name], getattr(stale.stored, name))
            for name in self._meta.fields
            if (field := Client._meta.get_field(name)).value_from_object(self.instance)
            != field.value_from_object(stale.stored)
        ]
        # The user now sees the stored details beside their own: the form carries the stored
        # version, so saving again keeps what they typed, deliberately (and is refused in turn
        # if yet another save comes in between). Else they would have to reload and retype.
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = str(stale.stored.version)

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


class ShareForm(forms.ModelForm):
    """Share a resident's case with a social team or provider that serves their municipality."""

    # The basis decides which fields are needed; their help texts say so, not "(optional)".
    optional_marker = False

    # Not required here: the share itself says "choose the parts", once, rather than both.
    parts = forms.MultipleChoiceField(
        label=_("Parts shared"),
        choices=Part.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Share no more than the purpose needs."),
    )

    class Meta:
        model = Share
        fields = [
            "organisation",
            "basis",
            "consent_form",
            "consent_given_on",
            "legal_article",
            "purpose",
            "parts",
            "valid_until",
        ]
        widgets = {
            "consent_given_on": DateInput,
            "valid_until": DateInput,
            "basis": forms.RadioSelect,
            "purpose": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, client, user, **kwargs):
        # A year, unless the consultant agrees otherwise with the resident.
        until = date.today() + timedelta(days=365)
        kwargs.setdefault("instance", Share(client=client, shared_by=user, valid_until=until))
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            municipalities=client.municipality_id
        ).exclude(kind=OrganisationKind.WORK_COMPANY)
        self.fields["basis"].choices = LawfulBasis.choices
        self.fields["consent_form"].required = False
        self.fields["consent_given_on"].help_text = _("Required when the basis is consent.")
        self.fields["legal_article"].help_text = _(
            "Required when the basis is a legal task, e.g. Participatiewet art. 7."
        )

    def clean(self):
        cleaned = super().clean()
        # Only the chosen basis's own fields are kept.
        if cleaned.get("basis") == LawfulBasis.LEGAL_TASK:
            cleaned["consent_form"], cleaned["consent_given_on"] = "", None
        elif cleaned.get("basis") == LawfulBasis.CONSENT:
            cleaned["legal_article"] = ""
        return cleaned


class ReasonForm(forms.Form):
    """Why a user opens a resident's file outside their own caseload (break the glass)."""

    reason = forms.CharField(
        label=_("Reason for opening this file"),
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "e.g. standing in for a colleague, a question from the resident, a quality check. "
            "Your reason is logged and shown to managers."
        ),
    )
