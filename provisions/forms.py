from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import Municipality

from .models import FundingRegime, Participation


class ChainFilterForm(forms.Form):
    """Which provisions the chain page shows; the filters live in the URL, under Dutch names."""

    gemeente = forms.ModelChoiceField(
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
