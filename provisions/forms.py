from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from partners.forms import ShortListChoiceField
from partners.models import Municipality

from .business_case import Assumptions, Intensity, Option, compare
from .models import FundingRegime, Participation, Tariff, TariffUnit

# The earliest day a tariff or a business case may be dated, and how far ahead.
EARLIEST_TARIFF = date(2000, 1, 1)
TARIFF_YEARS_AHEAD = 2
MAX_HORIZON_YEARS = 10


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and shows ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def validate_tariff_date(value):
    if value < EARLIEST_TARIFF:
        raise forms.ValidationError(_("Choose a date from 2000 on."))
    if value > date.today() + timedelta(days=365 * TARIFF_YEARS_AHEAD):
        raise forms.ValidationError(_("Choose a date at most two years ahead."))


class ChainFilterForm(forms.Form):
    """Which provisions the chain page shows; the filters live in the URL, under Dutch names."""

    gemeente = ShortListChoiceField(
        Municipality.objects.all(),
        required=False,
        label=_("Municipality"),
        empty_label=_("All municipalities"),
    )
    regime = forms.ChoiceField(
        choices=[("", _("All regimes")), *FundingRegime.choices],
        required=False,
        label=_("Funding regime"),
    )
    vorm = forms.ChoiceField(
        choices=[("", _("All forms")), *Participation.choices],
        required=False,
        label=_("Form of participation"),
    )

    def provisions(self, provisions):
        """The provisions that pass the filters (call once the form is valid)."""
        if municipality := self.cleaned_data["gemeente"]:
            provisions = provisions.serving(municipality.pk)
        if regime := self.cleaned_data["regime"]:
            provisions = provisions.filter(funding_regime=regime)
        if participation := self.cleaned_data["vorm"]:
            provisions = provisions.filter(participation=participation)
        return provisions


class TariffForm(forms.ModelForm):
    """A new figure of one kind from a date: the amount in euros or the percentage, as the
    kind's unit says, and its source. Saved through Tariff.take_effect."""

    class Meta:
        model = Tariff
        fields = ["amount_eur", "percentage", "valid_from", "source", "indicative"]
        widgets = {"valid_from": DateInput, "source": forms.Textarea(attrs={"rows": 3})}
        # Typed the Dutch way, with a decimal comma (a point is read as a decimal point too).
        localized_fields = ["amount_eur", "percentage"]

    def __init__(self, kind, *args, **kwargs):
        super().__init__(*args, instance=Tariff(kind=kind), **kwargs)
        unit = self.instance.unit
        keep, drop = (
            ("percentage", "amount_eur")
            if unit == TariffUnit.PERCENTAGE
            else ("amount_eur", "percentage")
        )
        del self.fields[drop]
        field = self.fields[keep]
        field.required = True
        field.validators += [MinValueValidator(0)]
        if unit == TariffUnit.PERCENTAGE:
            field.validators += [MaxValueValidator(100)]
        else:
            field.help_text = TariffUnit(unit).label
        self.fields["valid_from"].validators.append(validate_tariff_date)
        self.fields["valid_from"].help_text = _(
            "The figure in force on this day ends the day before. A figure that starts on the "
            "same day as the one in force corrects it."
        )

    def save(self, commit=True):
        return self.instance.take_effect()


class BusinessCaseForm(forms.Form):
    """What the business case assumes: the horizon, the day whose tariffs count, the baseline
    and the resident's circumstances. They live in the URL; what the URL leaves out takes its
    default, so the page compares something from the first visit."""

    horizon = forms.IntegerField(
        label=_("Horizon (years)"),
        min_value=1,
        max_value=MAX_HORIZON_YEARS,
    )
    peildatum = forms.DateField(
        label=_("Tariffs in force on"),
        widget=DateInput,
        validators=[validate_tariff_date],
    )
    basis = forms.ChoiceField(label=_("Compare with"), choices=Option.choices)
    intensiteit = forms.ChoiceField(
        label=_("Intensity of day activities"), choices=Intensity.choices
    )
    dagdelen = forms.IntegerField(
        label=_("Day parts a week"),
        min_value=1,
        max_value=10,
        help_text=_("Of day activities, for 46 weeks a year."),
    )
    loonwaarde = forms.IntegerField(
        label=_("Wage value (%)"),
        min_value=0,
        max_value=100,
        help_text=_("In a job: the share of the minimum wage the resident earns by their work."),
    )

    DEFAULTS = {
        "horizon": 3,
        "basis": Option.WMO_DAY_ACTIVITIES,
        "intensiteit": Intensity.MIDDLE,
        "dagdelen": 4,
        "loonwaarde": 50,
    }

    def __init__(self, query, defaults=None):
        data = {**self.DEFAULTS, "peildatum": date.today().isoformat(), **(defaults or {})}
        data.update({name: query[name] for name in self.base_fields if name in query})
        super().__init__(data)

    def comparison(self, residents=1):
        """The options side by side for so many residents (call once the form is valid)."""
        data = self.cleaned_data
        assumptions = Assumptions(
            intensity=data["intensiteit"],
            day_parts_per_week=data["dagdelen"],
            wage_value_percent=Decimal(data["loonwaarde"]),
        )
        tariffs = Tariff.objects.figures_on(data["peildatum"])
        return compare(tariffs, assumptions, data["basis"], residents, data["horizon"])
