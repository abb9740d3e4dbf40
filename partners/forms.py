import re

import django_otp
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from .models import Agreement, Contact, ProcessDocument, ProcessStep

TEXT_BOX = "utrecht-textbox utrecht-textbox--html-input"


class ListedChoices(ModelChoiceIterator):
    """The choices read with one plain query. Django's own reads them through
    queryset.iterator(), which on PostgreSQL opens a server-side cursor: a few milliseconds
    per select on every page with a filter form, for a table of a dozen rows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for choice in self.queryset:
            yield self.choice(choice)


class ShortListChoiceField(forms.ModelChoiceField):
    """A choice among the rows of a short table (categories, municipalities, chain steps)."""

    iterator = ListedChoices


class LoginForm(AuthenticationForm):
    """Django's login form with the NL Design System's text-box look."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = TEXT_BOX


class TOTPCodeForm(forms.Form):
    """The six-digit code from the user's authenticator app, checked against their device.

    django-otp refuses a code that was used before and, after a wrong code, refuses every code
    for a while that doubles with each further wrong one (1, 2, 4, 8 ... seconds)."""

    code = forms.CharField(
        label=_("Code from your app"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "class": TEXT_BOX,
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "size": 8,
            }
        ),
    )

    def __init__(self, user, device, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = device

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not re.fullmatch(r"\d{6}", code):
            raise ValidationError(_("Enter the six digits your app shows."), code="format")
        if not self.device.verify_is_allowed()[0]:
            raise ValidationError(
                _("Too many wrong codes. Wait a moment and try again."), code="throttled"
            )
        if django_otp.verify_token(self.user, self.device.persistent_id, code) is None:
            raise ValidationError(
                _("This code is not correct. Enter the code your app shows now."), code="wrong"
            )
        return code


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and shows ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ContactForm(forms.ModelForm):
    """A contact person of the organisation the form is for."""

    optional_marker = True

    class Meta:
        model = Contact
        fields = ["name", "function", "phone", "email"]

    def __init__(self, organisation, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation


class AgreementForm(forms.ModelForm):
    """An organisation's agreement under the covenant; its contact one of its own people."""

    optional_marker = True
    steps = forms.MultipleChoiceField(
        label=_("Process steps owned"),
        choices=ProcessStep.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Agreement
        fields = ["steps", "response_days", "contact", "valid_from", "valid_until"]
        widgets = {"valid_from": DateInput, "valid_until": DateInput}

    def __init__(self, organisation, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.fields["contact"].queryset = organisation.contacts.all()


class ProcessDocumentForm(forms.ModelForm):
    """A process description for an agreement: its type and size are checked by the model's
    validator (by content, not only by name)."""

    class Meta:
        model = ProcessDocument
        fields = ["title", "file"]
        widgets = {"file": forms.FileInput(attrs={"accept": ".pdf,.docx,.odt"})}

    def __init__(self, agreement, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.agreement = agreement
        self.instance.uploaded_by = user
