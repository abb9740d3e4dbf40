"""The cycle intake -> diagnosis -> plan -> placement -> re-evaluation, and its instruments."""

from calendar import monthrange
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, F, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from provisions.models import TAKES_A_PLACE, Participation

# Instruments: lists seeded by a data migration that managers may extend.


class LadderRung(models.Model):
    """A rung of the participation ladder (Divosa/Movisie), 1 Isolated to 6 Paid work."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("ladder rung")
        verbose_name_plural = _("ladder rungs")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.name}"


class LifeDomain(models.Model):
    """A life domain (leefgebied) scored for self-sufficiency, under one form of participation."""

    position = models.PositiveSmallIntegerField(_("position"), unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    participation = models.CharField(
        _("form of participation"), max_length=10, choices=Participation.choices
    )

    class Meta:
        verbose_name = _("life domain")
        verbose_name_plural = _("life domains")
        ordering = ["position"]

    def __str__(self):
        return self.name


class ScoreLevel(models.Model):
    """A step of the 1-5 self-sufficiency scale, from acute problems to fully self-sufficient."""

    value = models.PositiveSmallIntegerField(_("value"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("self-sufficiency level")
        verbose_name_plural = _("self-sufficiency levels")
        ordering = ["value"]

    def __str__(self):
        return f"{self.value}. {self.name}"


class Category(models.Model):
    """A category 1-4 of distance to the labour market; no national standard, so labels are data."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.name}"


class Blocker(models.Model):
    """A known blocker (knelpunt) that stalls a transition between provisions."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("blocker")
        verbose_name_plural = _("blockers")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Intervention(models.Model):
    """An intervention a diagnosis can choose, under one form of participation."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    participation = models.CharField(
        _("form of participation"), max_length=10, choices=Participation.choices
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["participation", "name"]

    def __str__(self):
        return self.name


# The cycle.


class Intake(models.Model):
    """The brede intake, starting from the resident's own words (omgekeerde toets)."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="intakes", verbose_name=_("client")
    )
    held_on = models.DateField(_("held on"))
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consultant"),
    )
    what_matters = models.TextField(_("what matters to me"), blank=True)
    wishes = models.TextField(_("what I want to do"), blank=True)
    contribution = models.TextField(_("what I can contribute"), blank=True)
    notes = models.TextField(_("consultant's notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["client", "-held_on"], name="intake_client_latest")]

    def __str__(self):
        return _("Intake of %(date)s") % {"date": date_format(self.held_on)}


class Assessment(models.Model):
    """The ladder rung now and attainable, and optional life-domain scores, at one moment."""

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("client"),
    )
    intake = models.ForeignKey(
        Intake,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("intake"),
    )
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    current_rung = models.ForeignKey(
        LadderRung, on_delete=models.PROTECT, related_name="+", verbose_name=_("current rung")
    )
    attainable_rung = models.ForeignKey(
        LadderRung,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("attainable rung"),
        null=True,
        blank=True,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-assessed_on", "-pk"]
        indexes = [models.Index(fields=["client", "-assessed_on"], name="assessment_client_latest")]

    def __str__(self):
        return _("Assessment of %(date)s") % {"date": date_format(self.assessed_on)}

    def clean(self):
        if (
            self.attainable_rung_id
            and self.current_rung_id
            and self.attainable_rung.number < self.current_rung.number
        ):
            raise ValidationError(
                {"attainable_rung": _("The attainable rung cannot be below the current rung.")}
            )


class DomainScore(models.Model):
    """A self-sufficiency score on one life domain; asked only where it matters for the plan."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="scores", verbose_name=_("assessment")
    )
    life_domain = models.ForeignKey(
        LifeDomain, on_delete=models.PROTECT, related_name="+", verbose_name=_("life domain")
    )
    level = models.ForeignKey(
        ScoreLevel, on_delete=models.PROTECT, related_name="+", verbose_name=_("score")
    )
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("domain score")
        verbose_name_plural = _("domain scores")
        ordering = ["life_domain__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "life_domain"], name="one_score_per_domain_per_assessment"
            ),
        ]

    def __str__(self):
        return f"{self.life_domain}: {self.level}"


class Perspective(models.TextChoices):
    PAID_WORK = "yes", _("Paid work is possible")
    IN_TIME = "in_time", _("Paid work in time")
    NOT_EXPECTED = "not_expected", _("Paid work not expected")


class Diagnosis(models.Model):
    """The diagnosis: category, perspective on paid work, target rung and why."""

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="diagnoses",
        verbose_name=_("client"),
    )
    made_on = models.DateField(_("made on"))
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consultant"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="diagnoses", verbose_name=_("category")
    )
    perspective = models.CharField(
        _("perspective on paid work"), max_length=20, choices=Perspective.choices
    )
    target_rung = models.ForeignKey(
        LadderRung,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("target rung"),
        null=True,
        blank=True,
    )
    interventions = models.ManyToManyField(
        Intervention, blank=True, related_name="diagnoses", verbose_name=_("interventions")
    )
    rationale = models.TextField(_("rationale"), help_text=_("Why this category and perspective."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("diagnosis")
        verbose_name_plural = _("diagnoses")
        ordering = ["-made_on", "-pk"]
        indexes = [models.Index(fields=["client", "-made_on"], name="diagnosis_client_latest")]

    def __str__(self):
        return _("Diagnosis of %(date)s") % {"date": date_format(self.made_on)}

    def clean(self):
        if not self.client_id:
            return
        first_intake = self.client.intakes.aggregate(first=Min("held_on"))["first"]
        if first_intake is None:
            raise ValidationError(_("A diagnosis needs an intake first."))
        if self.made_on and self.made_on < first_intake:
            raise ValidationError(
                {"made_on": _("A diagnosis cannot come before the intake it builds on.")}
            )


class PlanOfAction(models.Model):
    """The plan of action (plan van aanpak, art. 44a Participatiewet): goals with actions."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="plans", verbose_name=_("client")
    )
    drawn_up_on = models.DateField(_("drawn up on"))
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consultant"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan of action")
        verbose_name_plural = _("plans of action")
        ordering = ["-drawn_up_on", "-pk"]

    def __str__(self):
        return _("Plan of action of %(date)s") % {"date": date_format(self.drawn_up_on)}

    def clean(self):
        if self.client_id and not self.client.diagnoses.exists():
            raise ValidationError(_("A plan of action needs a diagnosis first."))


class Goal(models.Model):
    plan = models.ForeignKey(
        PlanOfAction, on_delete=models.CASCADE, related_name="goals", verbose_name=_("plan")
    )
    description = models.TextField(_("goal"))
    participation = models.CharField(
        _("form of participation"), max_length=10, choices=Participation.choices, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["pk"]

    def __str__(self):
        return self.description[:60]


class Action(models.Model):
    """A step towards a goal: who does what, and when."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="actions", verbose_name=_("goal")
    )
    description = models.TextField(_("action"))
    responsible = models.CharField(_("responsible person"), max_length=150, blank=True)
    responsible_organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible organisation"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.description[:60]

    @property
    def is_overdue(self):
        return self.status == self.Status.OPEN and self.due_on and self.due_on < date.today()


def add_months(day, months):
    """The same day of the month `months` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


# A start is recorded on the day it happens: a placement that starts later cannot yet end.
NOT_STARTED_YET = _("This date lies in the future; record the start on the day it happens.")


class PlacementQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=Placement.Status.ENDED)

    def stalled(self, today=None):
        """Proposals and acceptances that have waited too long for a start."""
        today = today or date.today()
        limit = today - timedelta(days=settings.STALLED_PROPOSAL_DAYS)
        return self.filter(
            status__in=[Placement.Status.PROPOSED, Placement.Status.ACCEPTED],
            proposed_on__lt=limit,
        )

    def waiting_list(self):
        """The waiting list of a provision, first in line first: in the order the proposals
        were recorded, so a proposal dated back cannot jump the queue."""
        return self.filter(status=Placement.Status.WAITING).order_by("pk")

    def with_place_in_line(self):
        """Annotate how many wait ahead in the same provision and how many of its places are
        taken: for the few placements of one case, as a long waiting list makes counting dear."""
        return self.annotate(
            ahead_in_line=count_of(waiting_ahead()), places_taken=count_of(places_taken())
        )


def waiting_ahead():
    """The placements waiting before the outer one in its provision's line."""
    return Placement.objects.filter(
        provision=OuterRef("provision"), status=Placement.Status.WAITING, pk__lt=OuterRef("pk")
    )


def places_taken():
    """The placements taking a place in the outer placement's provision."""
    return Placement.objects.filter(provision=OuterRef("provision"), status__in=TAKES_A_PLACE)


def count_of(placements):
    return Coalesce(
        Subquery(placements.order_by().values("provision").annotate(n=Count("pk")).values("n")),
        0,
    )


class Placement(models.Model):
    """A resident's place in a provision: waiting or proposed, accepted, active, ended."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("On the waiting list")
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted by the provider")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    class EndReason(models.TextChoices):
        TRANSITION = "transition", _("Moved to another provision")
        GOAL_REACHED = "goal_reached", _("Goal reached")
        PAID_WORK = "paid_work", _("Found paid work")
        CLIENT_STOPPED = "client_stopped", _("Resident stopped")
        NOT_SUITABLE = "not_suitable", _("Provision did not suit")
        DECLINED = "declined", _("Declined by the provider")
        MOVED_AWAY = "moved_away", _("Moved out of the region")
        OTHER = "other", _("Other reason")

    TAKES_A_PLACE = TAKES_A_PLACE

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="placements",
        verbose_name=_("client"),
    )
    provision = models.ForeignKey(
        "provisions.Provision",
        on_delete=models.PROTECT,
        related_name="placements",
        verbose_name=_("provision"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_on = models.DateField(_("proposed on"))
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    accepted_by_provider = models.CharField(
        _("accepted on the word of"),
        max_length=150,
        blank=True,
        help_text=_("Who at the provider agreed, for example by phone or email."),
    )
    start_on = models.DateField(_("start date"), null=True, blank=True)
    end_on = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for ending"), max_length=20, choices=EndReason.choices, blank=True
    )
    end_note = models.TextField(_("explanation"), blank=True)
    reevaluation_due_on = models.DateField(_("re-evaluation due on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    history = HistoricalRecords()

    objects = PlacementQuerySet.as_manager()

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-proposed_on", "-pk"]
        indexes = [
            models.Index(fields=["provision", "status"], name="placement_provision_status"),
            models.Index(fields=["client", "status"], name="placement_client_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "provision"],
                condition=~Q(status="ended"),
                name="one_open_placement_per_client_per_provision",
                violation_error_message=_(
                    "This resident already has a place or a proposal in this provision."
                ),
            ),
            models.CheckConstraint(
                condition=Q(start_on__isnull=True) | Q(start_on__gte=F("proposed_on")),
                name="placement_starts_after_proposal",
                violation_error_message=_("A placement cannot start before it was proposed."),
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="placement_ends_after_start",
                violation_error_message=_("A placement cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(start_on__isnull=False, end_on__isnull=True),
                name="active_placement_has_start_no_end",
                violation_error_message=_("An active placement has a start date and no end date."),
            ),
            models.CheckConstraint(
                condition=~Q(status="ended") | (Q(end_on__isnull=False) & ~Q(end_reason="")),
                name="ended_placement_has_end_and_reason",
                violation_error_message=_("An ended placement needs an end date and a reason."),
            ),
        ]

    def __str__(self):
        return f"{self.client} – {self.provision}"

    @classmethod
    @transaction.atomic
    def propose(cls, client, provision, on, by=None):
        """Propose a place; a full provision (or one with a queue) puts the resident in line."""
        if not client.diagnoses.exists():
            raise ValidationError(_("A placement needs a diagnosis first."))
        if not client.plans.exists():
            raise ValidationError(_("A placement needs a plan of action first."))
        provision.lock()
        if client.placements.open().filter(provision=provision).exists():
            raise ValidationError(
                {"provision": _("This resident already has a place or a proposal here.")}
            )
        full = not provision.has_free_place()
        queue = provision.placements.waiting_list().exists()
        placement = cls(
            client=client,
            provision=provision,
            proposed_on=on,
            created_by=by,
            status=cls.Status.WAITING if full or queue else cls.Status.PROPOSED,
        )
        placement.full_clean()
        placement.save()
        client.refresh_stage()
        return placement

    @transaction.atomic
    def offer_free_place(self, on):
        """Move the first in line from the waiting list to a proposal when a place is free."""
        self._require(self.Status.WAITING)
        if on < self.proposed_on:
            raise ValidationError(
                {"proposed_on": _("A place cannot be offered before the resident joined the list.")}
            )
        self.provision.lock()
        if self.provision.placements.waiting_list().first() != self:
            raise ValidationError(_("Someone else is ahead of this resident on the waiting list."))
        if not self.provision.has_free_place():
            raise ValidationError(_("The provision has no free place yet."))
        self.status, self.proposed_on = self.Status.PROPOSED, on
        self.save(update_fields=["status", "proposed_on"])

    def accept(self, on, by_provider):
        """Record that the provider agreed, on whose word; the proposal already holds the place."""
        self._require(self.Status.PROPOSED)
        if on < self.proposed_on:
            raise ValidationError(
                {"accepted_on": _("The provider cannot accept before the proposal was made.")}
            )
        self.status, self.accepted_on, self.accepted_by_provider = (
            self.Status.ACCEPTED,
            on,
            by_provider,
        )
        self.save(update_fields=["status", "accepted_on", "accepted_by_provider"])

    def activate(self, start_on):
        """Start the placement; its first re-evaluation falls due an interval later."""
        self._require(self.Status.ACCEPTED)
        if start_on < (self.accepted_on or self.proposed_on):
            raise ValidationError(
                {"start_on": _("A placement cannot start before the provider accepted it.")}
            )
        if start_on > date.today():
            raise ValidationError({"start_on": NOT_STARTED_YET})
        self.status, self.start_on = self.Status.ACTIVE, start_on
        self.reevaluation_due_on = add_months(start_on, settings.REEVALUATION_INTERVAL_MONTHS)
        self.save(update_fields=["status", "start_on", "reevaluation_due_on"])
        self.client.refresh_stage()

    def end(self, on, reason, note=""):
        """End a placement, or withdraw a proposal or a place in line."""
        if self.status == self.Status.ENDED:
            raise ValidationError(_("This placement has already ended."))
        if on < (self.start_on or self.proposed_on):
            raise ValidationError({"end_on": _("A placement cannot end before it starts.")})
        if not reason:
            raise ValidationError({"end_reason": _("Give the reason for ending.")})
        self.status, self.end_on, self.end_reason, self.end_note = (
            self.Status.ENDED,
            on,
            reason,
            note,
        )
        self.reevaluation_due_on = None
        self.save()
        self.client.refresh_stage()

    @transaction.atomic
    def move_to(self, provision, start_on, motives, blockers=(), blocker_note="", by=None):
        """The transition (overstap): start in `provision`, close this placement the day before."""
        self._require(self.Status.ACTIVE)
        provision.lock()
        errors = {}
        if provision.pk == self.provision_id:
            errors["provision"] = _("Choose another provision than the current one.")
        elif not provision.has_free_place():
            errors["provision"] = _(
                "This provision is full. Propose a placement there to join its waiting list."
            )
        elif provision.placements.waiting_list().exists():
            errors["provision"] = _(
                "Residents are waiting for this provision. Propose a placement there to join "
                "its waiting list."
            )
        elif self.client.placements.open().filter(provision=provision).exists():
            errors["provision"] = _("This resident already has a place or a proposal here.")
        if start_on <= self.start_on:
            errors["start_on"] = _("The new placement must start after the current one started.")
        elif start_on > date.today():
            errors["start_on"] = NOT_STARTED_YET
        if errors:
            raise ValidationError(errors)
        new = Placement.objects.create(
            client=self.client,
            provision=provision,
            status=self.Status.ACTIVE,
            proposed_on=min(start_on, date.today()),
            accepted_on=min(start_on, date.today()),
            start_on=start_on,
            reevaluation_due_on=add_months(start_on, settings.REEVALUATION_INTERVAL_MONTHS),
            created_by=by,
        )
        self.end(start_on - timedelta(days=1), self.EndReason.TRANSITION)
        transition = Transition.objects.create(
            client=self.client,
            from_placement=self,
            to_placement=new,
            moved_on=start_on,
            motives=motives,
            blocker_note=blocker_note,
            recorded_by=by,
        )
        transition.blockers.set(blockers)
        return transition

    @property
    def reevaluation_is_overdue(self):
        due = self.reevaluation_due_on
        return self.status == self.Status.ACTIVE and due is not None and due < date.today()

    @property
    def can_be_offered_a_place(self):
        """First in line with a place free: the consultant can propose it now.
        Needs PlacementQuerySet.with_place_in_line()."""
        return (
            self.status == self.Status.WAITING
            and self.ahead_in_line == 0
            and self.places_taken < self.provision.capacity_places
        )

    def place_in_line(self):
        """1 for the first on the provision's waiting list; None when not waiting."""
        if self.status != self.Status.WAITING:
            return None
        ahead = Placement.objects.filter(pk=self.pk).with_place_in_line()
        return ahead.values_list("ahead_in_line", flat=True).get() + 1

    def is_recent(self, today=None):
        """Active, or ended so recently that a re-evaluation may still look back on it."""
        today = today or date.today()
        if self.status == self.Status.ACTIVE:
            return True
        return (
            self.status == self.Status.ENDED
            and self.end_on is not None
            and self.end_on >= today - timedelta(days=settings.RECENT_PLACEMENT_DAYS)
            and self.end_reason != self.EndReason.DECLINED
        )

    def _require(self, status):
        if self.status != status:
            raise ValidationError(
                _("This step is not possible: the placement is %(status)s.")
                % {"status": self.get_status_display().lower()}
            )


class Transition(models.Model):
    """A move from one placement to the next: the motives and what stood in the way."""

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("client"),
    )
    from_placement = models.OneToOneField(
        Placement,
        on_delete=models.CASCADE,
        related_name="transition_out",
        verbose_name=_("from"),
    )
    to_placement = models.OneToOneField(
        Placement,
        on_delete=models.CASCADE,
        related_name="transition_in",
        verbose_name=_("to"),
    )
    moved_on = models.DateField(_("moved on"))
    motives = models.TextField(_("motives"))
    blockers = models.ManyToManyField(
        Blocker, blank=True, related_name="transitions", verbose_name=_("blockers")
    )
    blocker_note = models.TextField(_("other blockers"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["-moved_on", "-pk"]

    def __str__(self):
        return _("Transition of %(date)s") % {"date": date_format(self.moved_on)}


class Reevaluation(models.Model):
    """A periodic re-evaluation (herbeoordeling) of a placement, with its decision."""

    class Decision(models.TextChoices):
        CONTINUE = "continue", _("Continue")
        STEP_UP = "step_up", _("Step up the chain")
        STEP_DOWN = "step_down", _("Step down the chain")
        END = "end", _("End the placement")

    MOVES = [Decision.STEP_UP, Decision.STEP_DOWN]

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="reevaluations",
        verbose_name=_("client"),
    )
    placement = models.ForeignKey(
        Placement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reevaluations",
        verbose_name=_("placement"),
    )
    held_on = models.DateField(_("held on"))
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consultant"),
    )
    assessment = models.OneToOneField(
        Assessment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reevaluation",
        verbose_name=_("assessment"),
    )
    rung_before = models.ForeignKey(
        LadderRung,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rung before"),
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("re-evaluation")
        verbose_name_plural = _("re-evaluations")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return _("Re-evaluation of %(date)s") % {"date": date_format(self.held_on)}

    def clean(self):
        if self.placement_id is None:
            raise ValidationError({"placement": _("Choose the placement to re-evaluate.")})
        if self.placement.client_id != self.client_id or not self.placement.is_recent():
            raise ValidationError(
                {"placement": _("A re-evaluation needs an active or recently ended placement.")}
            )
        if self.placement.start_on and self.held_on < self.placement.start_on:
            raise ValidationError(
                {"held_on": _("A re-evaluation cannot come before the placement started.")}
            )

    @property
    def ladder_movement(self):
        """Rungs moved since the assessment before: positive is up the ladder."""
        if self.rung_before is None or self.assessment is None:
            return None
        return self.assessment.current_rung.number - self.rung_before.number

    def apply_decision(self, end_reason=""):
        """Carry out the decision: the next re-evaluation falls due, or the placement ends."""
        placement = self.placement
        if self.decision == self.Decision.END:
            if placement.status == Placement.Status.ACTIVE:
                placement.end(self.held_on, end_reason or Placement.EndReason.GOAL_REACHED)
        elif placement.status == Placement.Status.ACTIVE:
            # From the latest re-evaluation: one entered late for an earlier date moves nothing.
            latest = placement.reevaluations.aggregate(latest=Max("held_on"))["latest"]
            interval = settings.REEVALUATION_INTERVAL_MONTHS
            placement.reevaluation_due_on = add_months(latest, interval)
            placement.save(update_fields=["reevaluation_due_on"])
        self.client.refresh_stage()


class CaseNote(models.Model):
    """A contact, a note or a case conference (casusoverleg) in the case file."""

    class Kind(models.TextChoices):
        CONTACT = "contact", _("Contact")
        NOTE = "note", _("Note")
        CASE_CONFERENCE = "conference", _("Case conference")

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="notes", verbose_name=_("client")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NOTE)
    happened_on = models.DateField(_("date"))
    text = models.TextField(_("text"))
    participants = models.TextField(
        _("participants"), blank=True, help_text=_("Who took part, for a case conference.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["-happened_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {date_format(self.happened_on)}"

    def clean(self):
        if self.kind == self.Kind.CASE_CONFERENCE and not self.participants.strip():
            raise ValidationError({"participants": _("Name who took part in the case conference.")})


class FormDraft(models.Model):
    """What a consultant typed into a step form and has not saved yet; it outlives a closed tab."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    form_name = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client", "form_name"], name="one_draft_per_form"
            ),
        ]

    def __str__(self):
        return f"{self.form_name} ({self.saved_at:%Y-%m-%d %H:%M})"
