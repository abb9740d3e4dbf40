from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
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


# Placement statuses that take one of a provision's places (see trajectories.Placement): a
# proposal holds its place while the provider decides, so one free place is never promised twice.
TAKES_A_PLACE = ["proposed", "accepted", "active"]


class ChainStepQuerySet(models.QuerySet):
    def with_occupancy(self):
        """Annotate each step's total capacity and the places taken."""
        # Capacity in a subquery: summed over the placement join it would count once per placement.
        capacity = (
            Provision.objects.filter(chain_step=OuterRef("pk"))
            .order_by()
            .values("chain_step")
            .annotate(total=Sum("capacity_places"))
            .values("total")
        )
        return self.annotate(
            capacity_places=Coalesce(Subquery(capacity), 0),
            occupied_places=Count(
                "provisions__placements",
                filter=Q(provisions__placements__status__in=TAKES_A_PLACE),
            ),
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

    def with_occupancy(self):
        """Annotate the places taken, the places free and the length of the waiting list."""
        occupied = Count("placements", filter=Q(placements__status__in=TAKES_A_PLACE))
        waiting = Count("placements", filter=Q(placements__status="waiting"))
        return self.annotate(occupied_places=occupied, waiting_count=waiting).annotate(
            free_places=Greatest(F("capacity_places") - F("occupied_places"), 0)
        )


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
    history = HistoricalRecords()

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

    def has_free_place(self):
        taken = self.placements.filter(status__in=TAKES_A_PLACE).count()
        return taken < self.capacity_places

    def lock(self):
        """Hold this provision's row until the transaction ends, so that two consultants at
        the same moment cannot both take its last free place or the same place in line."""
        list(Provision.objects.select_for_update().filter(pk=self.pk).values_list("pk"))

    def waiting_list_seen_by(self, user):
        """The waiting list in order of proposal, as [(place in line, placement or None)]:
        a resident the user may not see keeps their place but stays unnamed."""
        from clients.models import Client

        line = list(self.placements.waiting_list().select_related("client"))
        visible = set(
            Client.objects.visible_to(user)
            .filter(pk__in=[placement.client_id for placement in line])
            .values_list("pk", flat=True)
        )
        return [
            (place, placement if placement.client_id in visible else None)
            for place, placement in enumerate(line, start=1)
        ]
