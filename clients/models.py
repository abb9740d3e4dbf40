from datetime import date
from types import SimpleNamespace

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, Subquery, Value, When
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .bsn import mask_bsn, normalise_bsn, validate_bsn


class Stage(models.TextChoices):
    """Where a resident stands in the cycle: the step now being worked on."""

    INTAKE = "intake", _("Intake")
    DIAGNOSIS = "diagnosis", _("Diagnosis")
    PLAN = "plan", _("Plan of action")
    PLACEMENT = "placement", _("Placement")
    REEVALUATION = "reevaluation", _("Re-evaluation")


class ClientQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The residents a user may see. Every view, export and PDF starts here."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.has_perm("clients.view_all_clients"):
            return self
        if user.has_perm("clients.view_client"):
            # Werkbedrijf staff see the residents of the municipalities their organisation serves.
            from partners.models import Municipality

            served = Municipality.objects.filter(organisations__memberships__user=user)
            return self.filter(municipality__in=served)
        # Social teams will see only cases shared with them under consent (sharing comes later).
        return self.none()

    def editable_by(self, user):
        """The residents whose case the user may work on: visible, and the role edits cases."""
        if not user.has_perm("clients.change_client"):
            return self.none()
        return self.visible_to(user)

    def search(self, query):
        """Find residents by BSN, date of birth (dd-mm-jjjj) or part of the name, using an index."""
        query = " ".join(query.split())
        if not query:
            return self
        birth_date = parse_dutch_date(query)
        if birth_date:
            return self.filter(date_of_birth=birth_date)
        bsn = normalise_bsn(query)
        if bsn.isascii() and bsn.isdigit() and len(bsn) == 9:
            return self.filter(bsn=bsn)
        for word in query.lower().split():
            self = self.filter(search_name__contains=word)
        return self

    def with_cycle(self):
        """Annotate the current category and ladder rung, read from the latest records."""
        from trajectories.models import Assessment, Diagnosis

        client = OuterRef("pk")
        latest_diagnosis = Diagnosis.objects.filter(client=client).order_by("-made_on", "-pk")
        latest_assessment = Assessment.objects.filter(client=client).order_by("-assessed_on", "-pk")
        return self.annotate(
            category_number=Subquery(latest_diagnosis.values("category__number")[:1]),
            category_name=Subquery(latest_diagnosis.values("category__name")[:1]),
            rung_number=Subquery(latest_assessment.values("current_rung__number")[:1]),
            rung_name=Subquery(latest_assessment.values("current_rung__name")[:1]),
        )

    def with_next_step(self, today=None):
        """Annotate what is due next: the earliest re-evaluation and open action, and whether
        something is overdue or a proposal has stalled."""
        from trajectories.models import Action, Placement

        today = today or date.today()
        placements = Placement.objects.filter(client=OuterRef("pk"))
        open_actions = Action.objects.filter(
            goal__plan__client=OuterRef("pk"), status=Action.Status.OPEN, due_on__isnull=False
        )
        return self.annotate(
            reevaluation_due_on=Subquery(
                placements.filter(status=Placement.Status.ACTIVE)
                .order_by("reevaluation_due_on")
                .values("reevaluation_due_on")[:1]
            ),
            action_due_on=Subquery(open_actions.order_by("due_on").values("due_on")[:1]),
            has_stalled_proposal=Exists(placements.stalled(today)),
        )

    def needing_attention(self, today=None):
        """Residents with an overdue re-evaluation or action, or a stalled proposal."""
        from trajectories.models import Action, Placement

        today = today or date.today()
        placements = Placement.objects.filter(client=OuterRef("pk"))
        active = placements.filter(status=Placement.Status.ACTIVE)
        late_actions = Action.objects.filter(
            goal__plan__client=OuterRef("pk"), status=Action.Status.OPEN, due_on__lt=today
        )
        return self.filter(
            Exists(active.filter(reevaluation_due_on__lt=today))
            | Exists(placements.stalled(today))
            | Exists(late_actions)
        )

    def in_category(self, number):
        """Residents whose latest diagnosis puts them in this category."""
        from trajectories.models import Diagnosis

        latest = Diagnosis.objects.filter(client=OuterRef("pk")).order_by("-made_on", "-pk")
        return self.alias(latest_category=Subquery(latest.values("category__number")[:1])).filter(
            latest_category=number
        )

    def placed_in_chain_step(self, chain_step):
        """Residents with an active placement at this step of the chain."""
        from trajectories.models import Placement

        return self.filter(
            Exists(
                Placement.objects.filter(
                    client=OuterRef("pk"),
                    status=Placement.Status.ACTIVE,
                    provision__chain_step=chain_step,
                )
            )
        )

    def refresh_stage(self):
        """Store each resident's stage as derived from their records (one UPDATE)."""
        return self.update(stage=derived_stage())

    def stage_counts(self):
        """[(stage, number of residents)] in the order of the cycle, zeros included."""
        counts = dict(self.order_by().values_list("stage").annotate(count=Count("pk")))
        return [(stage, counts.get(stage.value, 0)) for stage in Stage]

    def category_counts(self):
        """Residents per category of their latest diagnosis; None for those without one."""
        return (
            self.with_cycle()
            .order_by()
            .values("category_number", "category_name")
            .annotate(count=Count("pk"))
            .order_by("category_number")
        )


NEXT_STEPS = {
    Stage.INTAKE: _("Hold the brede intake"),
    Stage.DIAGNOSIS: _("Make the diagnosis"),
    Stage.PLAN: _("Draw up the plan of action"),
    Stage.PLACEMENT: _("Arrange a placement"),
    Stage.REEVALUATION: _("Re-evaluate the placement"),
}


def derived_stage():
    """The stage in the cycle as an SQL expression over a resident's records: the first step
    still to do, and back to placement when a re-evaluation advised a move up or down."""
    from trajectories.models import Diagnosis, Intake, Placement, PlanOfAction, Reevaluation

    client = OuterRef("pk")
    active = Placement.objects.filter(client=client, status=Placement.Status.ACTIVE)
    latest_decision = Reevaluation.objects.filter(placement=OuterRef("pk")).order_by(
        "-held_on", "-pk"
    )
    move_advised = active.alias(decision=Subquery(latest_decision.values("decision")[:1])).filter(
        decision__in=Reevaluation.MOVES
    )
    return Case(
        When(~Exists(Intake.objects.filter(client=client)), then=Value(Stage.INTAKE)),
        When(~Exists(Diagnosis.objects.filter(client=client)), then=Value(Stage.DIAGNOSIS)),
        When(~Exists(PlanOfAction.objects.filter(client=client)), then=Value(Stage.PLAN)),
        When(~Exists(active), then=Value(Stage.PLACEMENT)),
        When(Exists(move_advised), then=Value(Stage.PLACEMENT)),
        default=Value(Stage.REEVALUATION),
        output_field=models.CharField(),
    )


def parse_dutch_date(text):
    """Read 'dd-mm-jjjj' (or with / or .) as a date; None when it is not one."""
    for separator in "-/.":
        parts = text.split(separator)
        if (
            len(parts) == 3
            and all(p.isascii() and p.isdigit() for p in parts)
            and len(parts[2]) == 4
        ):
            try:
                return date(int(parts[2]), int(parts[1]), int(parts[0]))
            except (ValueError, OverflowError):
                return None
    return None


class Client(models.Model):
    """A resident (inwoner) supported by the werkbedrijf."""

    first_name = models.CharField(_("first name"), max_length=100)
    name_prefix = models.CharField(
        _("prefix"), max_length=20, blank=True, help_text=_("e.g. van, de, van der")
    )
    last_name = models.CharField(_("last name"), max_length=100)
    bsn = models.CharField(
        _("BSN"),
        max_length=9,
        unique=True,
        validators=[validate_bsn],
        help_text=_("Citizen service number: 9 digits, checked with the eleven test."),
    )
    date_of_birth = models.DateField(_("date of birth"), db_index=True)
    municipality = models.ForeignKey(
        "partners.Municipality",
        on_delete=models.PROTECT,
        related_name="clients",
        verbose_name=_("municipality"),
    )
    street_address = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=7, blank=True)
    city = models.CharField(_("place of residence"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="clients",
        verbose_name=_("consultant"),
        null=True,
        blank=True,
    )
    # Derived from the records by refresh_stage() after every step of the cycle; stored so that
    # lists can filter and count by stage through an index at any size.
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.INTAKE, editable=False
    )
    # Lower-case full name, kept by save(); PostgreSQL searches it through a trigram index.
    search_name = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["search_name", "stage"])

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["last_name", "first_name", "pk"]
        permissions = [
            ("view_all_clients", _("Can see every client in the region")),
            ("view_bsn", _("Can see the full BSN")),
            ("view_reports", _("Can read management reports")),
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="client_name_order"),
            models.Index(
                fields=["consultant", "last_name", "first_name", "id"],
                name="client_caseload_order",
            ),
            models.Index(fields=["stage", "last_name", "first_name", "id"], name="client_stage"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(bsn__regex=r"^[0-9]{9}$"), name="client_bsn_nine_digits"
            ),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.bsn = normalise_bsn(self.bsn)
        self.search_name = self.compose_search_name()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("clients:detail", args=[self.pk])

    @property
    def full_name(self):
        return " ".join(
            part for part in (self.first_name, self.name_prefix, self.last_name) if part
        )

    @property
    def sort_name(self):
        """'Jansen, Piet van' as lists sort it."""
        given = " ".join(part for part in (self.first_name, self.name_prefix) if part)
        return f"{self.last_name}, {given}"

    @property
    def current_stage(self):
        return Stage(self.stage)

    def refresh_stage(self):
        Client.objects.filter(pk=self.pk).refresh_stage()
        self.refresh_from_db(fields=["stage"])

    @property
    def next_due_on(self):
        """The earliest due date; needs ClientQuerySet.with_next_step()."""
        dates = [d for d in (self.reevaluation_due_on, self.action_due_on) if d]
        return min(dates, default=None)

    @property
    def is_overdue(self):
        due = self.next_due_on
        return due is not None and due < date.today()

    @cached_property
    def next_step(self):
        """(what the consultant does next, its due date or None); needs with_next_step().

        First a stalled proposal, then an action of the plan once it is late or falls before
        the re-evaluation; otherwise the stage says what is next."""
        if self.stage == Stage.PLACEMENT and self.has_stalled_proposal:
            return _("Ask the provider about the proposal"), None
        action_first = self.action_due_on and (
            self.action_due_on < date.today()
            or (self.stage == Stage.REEVALUATION and self.action_due_on == self.next_due_on)
        )
        if action_first:
            return _("Follow up the action in the plan"), self.action_due_on
        if self.stage == Stage.REEVALUATION:
            return NEXT_STEPS[self.stage], self.reevaluation_due_on
        return NEXT_STEPS[self.stage], None

    @property
    def masked_bsn(self):
        return mask_bsn(self.bsn)

    def case_file(self):
        """The records of the cycle, each loaded with what the case page shows, in a fixed
        number of queries whatever the size of the file."""
        from trajectories.models import Action, DomainScore, Goal

        scores = DomainScore.objects.select_related("life_domain", "level")
        actions = Action.objects.select_related("responsible_organisation")
        goals = Goal.objects.prefetch_related(Prefetch("actions", actions))
        # Lists, so each is read once however often the page looks; of the intake, assessment
        # and diagnosis only the latest shows (the timeline has the others).
        return SimpleNamespace(
            intakes=list(self.intakes.select_related("consultant")[:1]),
            assessments=list(
                self.assessments.select_related("current_rung", "attainable_rung").prefetch_related(
                    Prefetch("scores", scores)
                )[:1]
            ),
            diagnoses=list(
                self.diagnoses.select_related(
                    "category", "target_rung", "consultant"
                ).prefetch_related("interventions")[:1]
            ),
            plans=list(
                self.plans.select_related("consultant").prefetch_related(Prefetch("goals", goals))
            ),
            placements=list(
                self.placements.with_place_in_line().select_related(
                    "provision__chain_step", "provision__provider"
                )
            ),
            reevaluations=list(
                self.reevaluations.select_related(
                    "placement__provision", "rung_before", "assessment__current_rung"
                )
            ),
        )

    def compose_search_name(self):
        return self.full_name.lower()

    def age_on(self, day):
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - before_birthday
