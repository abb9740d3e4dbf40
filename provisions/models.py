from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Participation(models.TextChoices):
    """The three forms of participation of the memo; life domains and chain steps fall under one."""

    SOCIAL = "social", _("Social participation")
    SOCIETAL = "societal", _("Societal participation")
    ECONOMIC = "economic", _("Economic participation")


class FundingRegime(models.TextChoices):
    PARTICIPATIEWET = "participatiewet", _("Participatiewet")
    WMO = "wmo", _("Wmo 2015")
    WLZ = "wlz", _("Wlz")
    ZVW = "zvw", _("Zvw")
    NONE = "none", _("No funding regime")


# Under each regime: who decides on access to a provision, and who pays for it.
ACCESS_AND_FUNDING = {
    FundingRegime.PARTICIPATIEWET: (
        _(
            "The municipality; UWV advises on beschut werk and decides who falls under the "
            "banenafspraak (garantiebanen)"
        ),
        _("The municipality, from its Participatiewet budget"),
    ),
    FundingRegime.WMO: (
        _("The municipality, by a decision on a tailored provision (maatwerkvoorziening)"),
        _("The municipality, from its Wmo budget (social domain)"),
    ),
    FundingRegime.WLZ: (
        _("The CIZ, by an eligibility decision (indicatiebesluit)"),
        _("The Wlz, through the zorgkantoor: the municipality pays nothing"),
    ),
    FundingRegime.ZVW: (
        _("Not the insurer: a GP or district nurse establishes the need for care"),
        _(
            "The health insurer, for the care the Zvw covers; insurers are asked to take on "
            "more of day activities"
        ),
    ),
    FundingRegime.NONE: (
        _("No access decision: the provider or employer agrees with the resident"),
        _("The provider or employer itself, sometimes with a municipal subsidy"),
    ),
}


@dataclass(frozen=True)
class ProvisionKind:
    """The provisions of one chain step under one funding regime, counted."""

    chain_step: str
    position: int
    regime: str
    provisions: int
    places: int
    priced: int
    lowest_cost: Decimal | None
    highest_cost: Decimal | None

    def regime_label(self):
        return dict(FundingRegime.choices).get(self.regime, self.regime)


def regimes_mapped():
    """Each funding regime, with who decides on access and who pays."""
    return [(regime.label, *ACCESS_AND_FUNDING[regime]) for regime in FundingRegime]


class ChainStepQuerySet(models.QuerySet):
    def with_occupancy(self):
        """Annotate each step's total capacity and the places taken."""
        return self.annotate(
            capacity_places=Coalesce(Sum("provisions__capacity_places"), 0),
            occupied_places=Coalesce(Sum("provisions__occupied_places"), 0),
        )


class ChainStep(models.Model):
    """A step of the participation chain (participatieketen), from social networks to paid work."""

    position = models.PositiveSmallIntegerField(_("position"), unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    participation = models.CharField(
        _("form of participation"), max_length=10, choices=Participation.choices
    )
    description = models.TextField(_("description"), blank=True)

    objects = ChainStepQuerySet.as_manager()

    class Meta:
        verbose_name = _("chain step")
        verbose_name_plural = _("chain steps")
        ordering = ["position"]

    def __str__(self):
        return self.name


class WorkLearningLine(models.Model):
    """A work-learning line (werk-leerlijn) such as horeca or schoonmaak; more will follow."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("work-learning line")
        verbose_name_plural = _("work-learning lines")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProvisionQuerySet(models.QuerySet):
    def serving(self, municipality_id):
        """Provisions open to residents of one municipality, including the region-wide ones."""
        return self.filter(Q(municipality_id=municipality_id) | Q(municipality__isnull=True))

    def kinds(self):
        """The provisions grouped by chain step and funding regime, in the order of the chain:
        how many, their places, and the lowest and highest indicative cost per place."""
        rows = (
            self.order_by()
            .values("chain_step__name", "chain_step__position", "funding_regime")
            .annotate(
                provisions=Count("pk"),
                places=Sum("capacity_places"),
                priced=Count("cost_per_place_per_year_eur"),
                lowest_cost=Min("cost_per_place_per_year_eur"),
                highest_cost=Max("cost_per_place_per_year_eur"),
            )
            .order_by()
        )
        regimes = list(FundingRegime.values)
        # In the chain's order, and within a step in the order the regimes are listed.
        rows = sorted(
            rows,
            key=lambda row: (
                row["chain_step__position"],
                regimes.index(row["funding_regime"]) if row["funding_regime"] in regimes else 99,
            ),
        )
        return [
            ProvisionKind(
                chain_step=row["chain_step__name"],
                position=row["chain_step__position"],
                regime=row["funding_regime"],
                provisions=row["provisions"],
                places=row["places"],
                priced=row["priced"],
                lowest_cost=row["lowest_cost"],
                highest_cost=row["highest_cost"],
            )
            for row in rows
        ]

    def with_occupancy(self):
        """Annotate the places free."""
        return self.annotate(free_places=Greatest(F("capacity_places") - F("occupied_places"), 0))


class Provision(models.Model):
    """A provision (voorziening) run by a chain partner at one step of the chain."""

    name = models.CharField(_("name"), max_length=200)
    chain_step = models.ForeignKey(
        ChainStep, on_delete=models.PROTECT, related_name="provisions", verbose_name=_("chain step")
    )
    participation = models.CharField(
        _("form of participation"), max_length=10, choices=Participation.choices
    )
    funding_regime = models.CharField(
        _("funding regime"), max_length=20, choices=FundingRegime.choices
    )
    provider = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="provisions",
        verbose_name=_("provider"),
    )
    municipality = models.ForeignKey(
        "partners.Municipality",
        on_delete=models.PROTECT,
        related_name="provisions",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the provision serves the whole region."),
    )
    capacity_places = models.PositiveIntegerField(_("capacity (places)"))
    cost_per_place_per_year_eur = models.DecimalField(
        _("indicative cost per place per year (EUR)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
    )
    cost_source = models.CharField(_("source of the cost figure"), max_length=300, blank=True)
    development_oriented = models.BooleanField(
        _("development-oriented"),
        default=False,
        help_text=_("Placement aims at moving on to a next step of the chain."),
    )
    work_learning_line = models.ForeignKey(
        WorkLearningLine,
        on_delete=models.PROTECT,
        related_name="provisions",
        verbose_name=_("work-learning line"),
        null=True,
        blank=True,
    )
    description = models.TextField(_("description"), blank=True)
    # Kept by the cycle (trajectories) whenever a placement here changes, in the same
    # transaction, so that lists and the chain read them instead of counting placements.
    occupied_places = models.PositiveIntegerField(_("places taken"), default=0, editable=False)
    waiting_count = models.PositiveIntegerField(_("on the waiting list"), default=0, editable=False)
    # The middle one of the dates on which those waiting now were put on the list; of two in
    # the middle, the earlier (the longer wait), as statistics.median_low picks.
    median_waiting_since = models.DateField(
        _("median date put on the waiting list"), null=True, editable=False
    )
    history = HistoricalRecords(
        excluded_fields=["occupied_places", "waiting_count", "median_waiting_since"]
    )

    objects = ProvisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")
        ordering = ["chain_step__position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "name"], name="unique_provision_name_per_provider"
            ),
            models.CheckConstraint(
                condition=Q(cost_per_place_per_year_eur__gte=0),
                name="provision_cost_not_negative",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("provisions:detail", args=[self.pk])

    def median_waiting_days(self, today=None):
        """How long the middle one of those on the waiting list has waited so far, in days;
        None when nobody waits."""
        if self.median_waiting_since is None:
            return None
        return ((today or date.today()) - self.median_waiting_since).days

    def has_free_place(self):
        return self.occupied_places < self.capacity_places

    def lock(self):
        """Hold this provision's row until the transaction ends, so that two consultants at
        the same moment cannot both take its last free place or the same place in line; the
        counts and capacity are read afresh under the lock."""
        locked = Provision.objects.select_for_update().get(pk=self.pk)
        self.capacity_places = locked.capacity_places
        self.occupied_places, self.waiting_count = locked.occupied_places, locked.waiting_count
