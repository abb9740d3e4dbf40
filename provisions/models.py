from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
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

    def get_absolute_url(self):
        return reverse("provisions:work_learning_lines") + f"#line-{self.pk}"


class WorkLearningStep(models.Model):
    """One step of a work-learning line, in order, with the education and employer partners
    who carry it (a workplace, a course, a certificate)."""

    line = models.ForeignKey(
        WorkLearningLine,
        on_delete=models.CASCADE,
        related_name="steps",
        verbose_name=_("work-learning line"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    partners = models.ManyToManyField(
        "partners.Organisation",
        blank=True,
        related_name="work_learning_steps",
        verbose_name=_("partners"),
        help_text=_("The education and employer partners involved in this step."),
    )
    history = HistoricalRecords(m2m_fields=[partners])

    class Meta:
        verbose_name = _("work-learning step")
        verbose_name_plural = _("work-learning steps")
        ordering = ["line__name", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "position"],
                name="one_step_per_position_in_a_line",
                violation_error_message=_("This line already has a step at this position."),
            )
        ]

    def __str__(self):
        return f"{self.line}: {self.position}. {self.name}"


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

    @transaction.atomic
    def set_capacity(self, places):
        """Keep the capacity current. Never below the places taken (active, accepted and
        proposed placements): those residents keep their place; a place that comes free
        goes to the first in line by the waiting-list rules."""
        self.lock()
        if places < self.occupied_places:
            raise ValidationError(
                {
                    "capacity_places": _("%(taken)s places are taken; the capacity cannot be less.")
                    % {"taken": self.occupied_places}
                }
            )
        self.capacity_places = places
        self.save(update_fields=["capacity_places"])

    def lock(self):
        """Hold this provision's row until the transaction ends, so that two consultants at
        the same moment cannot both take its last free place or the same place in line; the
        counts and capacity are read afresh under the lock."""
        locked = Provision.objects.select_for_update().get(pk=self.pk)
        self.capacity_places = locked.capacity_places
        self.occupied_places, self.waiting_count = locked.occupied_places, locked.waiting_count


class TariffUnit(models.TextChoices):
    PER_YEAR = "per_year", _("per year")
    PER_MONTH = "per_month", _("per month")
    PER_DAY_PART = "per_day_part", _("per day part")
    PERCENTAGE = "percentage", _("percentage")


class TariffKind(models.TextChoices):
    """The figures and rules the business case reads. Each is kept as tariff rows with their
    validity, so a manager records a new figure from a date and the old one ends."""

    MINIMUM_WAGE = "minimum_wage", _("Statutory minimum wage, full time, with holiday pay")
    WAGE_SUBSIDY_CAP = (
        "wage_subsidy_cap",
        _("Loonkostensubsidie: at most this share of the minimum wage"),
    )
    EMPLOYER_COSTS = "employer_costs", _("Loonkostensubsidie: allowance for employer costs")
    BESCHUT_SUPERVISION = "beschut_supervision", _("Beschut werk: supervision per place")
    BESCHUT_ORGANISATION = "beschut_organisation", _("Beschut werk: organisation per place")
    BESCHUT_NATIONAL = "beschut_national", _("Beschut werk: national contribution per place")
    VOLUNTEER_GUIDANCE = "volunteer_guidance", _("Supported volunteering: guidance per place")
    BENEFIT = "benefit", _("Social assistance (bijstandsnorm), single person")
    WMO_LIGHT = "wmo_light", _("Wmo day activities, light")
    WMO_MIDDLE = "wmo_middle", _("Wmo day activities, middle")
    WMO_INTENSIVE = "wmo_intensive", _("Wmo day activities, intensive")
    WLZ_LIGHT = "wlz_light", _("Wlz day activities, light")
    WLZ_MIDDLE = "wlz_middle", _("Wlz day activities, middle")
    WLZ_INTENSIVE = "wlz_intensive", _("Wlz day activities, intensive")


# Per kind: its unit and the regime it belongs to.
TARIFF_KINDS = {
    TariffKind.MINIMUM_WAGE: (TariffUnit.PER_YEAR, FundingRegime.PARTICIPATIEWET),
    TariffKind.WAGE_SUBSIDY_CAP: (TariffUnit.PERCENTAGE, FundingRegime.PARTICIPATIEWET),
    TariffKind.EMPLOYER_COSTS: (TariffUnit.PERCENTAGE, FundingRegime.PARTICIPATIEWET),
    TariffKind.BESCHUT_SUPERVISION: (TariffUnit.PER_YEAR, FundingRegime.PARTICIPATIEWET),
    TariffKind.BESCHUT_ORGANISATION: (TariffUnit.PER_YEAR, FundingRegime.PARTICIPATIEWET),
    TariffKind.BESCHUT_NATIONAL: (TariffUnit.PER_YEAR, FundingRegime.PARTICIPATIEWET),
    TariffKind.VOLUNTEER_GUIDANCE: (TariffUnit.PER_YEAR, FundingRegime.PARTICIPATIEWET),
    TariffKind.BENEFIT: (TariffUnit.PER_MONTH, FundingRegime.PARTICIPATIEWET),
    TariffKind.WMO_LIGHT: (TariffUnit.PER_DAY_PART, FundingRegime.WMO),
    TariffKind.WMO_MIDDLE: (TariffUnit.PER_DAY_PART, FundingRegime.WMO),
    TariffKind.WMO_INTENSIVE: (TariffUnit.PER_DAY_PART, FundingRegime.WMO),
    TariffKind.WLZ_LIGHT: (TariffUnit.PER_DAY_PART, FundingRegime.WLZ),
    TariffKind.WLZ_MIDDLE: (TariffUnit.PER_DAY_PART, FundingRegime.WLZ),
    TariffKind.WLZ_INTENSIVE: (TariffUnit.PER_DAY_PART, FundingRegime.WLZ),
}


class TariffQuerySet(models.QuerySet):
    def valid_on(self, day):
        """The tariffs in force on this day: at most one per kind."""
        return self.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day), valid_from__lte=day
        )

    def figures_on(self, day):
        """{kind: tariff} of the tariffs in force on this day, in one query."""
        return {tariff.kind: tariff for tariff in self.valid_on(day)}


class Tariff(models.Model):
    """A figure the business case reads (a tariff, a wage, a rule's share), valid from one day
    until another (open-ended until a newer figure replaces it), with where it comes from.

    Money is in `amount_eur`, a share in `percentage`: the kind's unit says which."""

    kind = models.CharField(_("kind"), max_length=30, choices=TariffKind.choices)
    amount_eur = models.DecimalField(
        _("amount (EUR)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    percentage = models.DecimalField(
        _("percentage"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("Empty while no newer figure has been recorded."),
    )
    source = models.CharField(
        _("source"), max_length=500, help_text=_("Where the figure comes from, for the reader.")
    )
    indicative = models.BooleanField(
        _("indicative"),
        default=False,
        help_text=_("An estimate or assumption, not an official or contracted figure."),
    )
    history = HistoricalRecords()

    objects = TariffQuerySet.as_manager()

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "valid_from"],
                name="unique_tariff_start",
                violation_error_message=_("A figure of this kind already starts on that day."),
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(valid_until__isnull=True),
                name="one_open_tariff_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="tariff_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(amount_eur__isnull=False, percentage__isnull=True)
                | Q(amount_eur__isnull=True, percentage__isnull=False),
                name="tariff_amount_or_percentage",
            ),
            models.CheckConstraint(
                condition=Q(amount_eur__gte=0), name="tariff_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(percentage__gte=0, percentage__lte=100),
                name="tariff_percentage_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value} ({self.valid_from:%d-%m-%Y})"

    @property
    def unit(self):
        return TARIFF_KINDS[self.kind][0]

    @property
    def regime(self):
        return TARIFF_KINDS[self.kind][1]

    def get_unit_display(self):
        return TariffUnit(self.unit).label

    def get_regime_display(self):
        return FundingRegime(self.regime).label

    @property
    def value(self):
        """The amount in euros, or the percentage, as the kind's unit says."""
        return self.percentage if self.unit == TariffUnit.PERCENTAGE else self.amount_eur

    def is_valid_on(self, day):
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def take_effect(self):
        """Save this new figure from its valid_from: the figure in force that day ends the day
        before, and this one runs as long as that one would have (or, in a gap, until the day
        before the next figure). A figure starting the same day as the one in force corrects it
        in place; the change history keeps what it said."""
        with transaction.atomic():
            # One manager at a time per kind: the rows are read afresh under the lock.
            kind_rows = list(
                Tariff.objects.select_for_update().filter(kind=self.kind).order_by("valid_from")
            )
            current = next((row for row in kind_rows if row.is_valid_on(self.valid_from)), None)
            if current and current.valid_from == self.valid_from:
                current.amount_eur, current.percentage = self.amount_eur, self.percentage
                current.source, current.indicative = self.source, self.indicative
                current.save(update_fields=["amount_eur", "percentage", "source", "indicative"])
                return current
            if current:
                self.valid_until = current.valid_until
                current.valid_until = self.valid_from - timedelta(days=1)
                current.save(update_fields=["valid_until"])
            else:
                later = [row.valid_from for row in kind_rows if row.valid_from > self.valid_from]
                self.valid_until = min(later) - timedelta(days=1) if later else None
            self.save()
            return self
