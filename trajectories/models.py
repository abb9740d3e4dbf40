"""The cycle intake -> diagnosis -> plan -> placement -> re-evaluation, its instruments, and
the stored state of every resident's case that lists and reports read."""

from calendar import monthrange
from collections import Counter, defaultdict, namedtuple
from datetime import date, timedelta
from statistics import median_low

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Least, Length, NullIf
from django.db.models.lookups import LessThanOrEqual
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from clients.models import Client, ConsentForm, StaleRecord
from partners.models import Agreement, Role
from provisions.models import Participation, Provision, WorkLearningStep


class Stage(models.TextChoices):
    """Where a resident stands in the cycle: the step now being worked on."""

    INTAKE = "intake", _("Intake")
    DIAGNOSIS = "diagnosis", _("Diagnosis")
    PLAN = "plan", _("Plan of action")
    PLACEMENT = "placement", _("Placement")
    REEVALUATION = "reevaluation", _("Re-evaluation")


# Dates: what has happened cannot lie ahead (a start is recorded on the day it happens);
# planned dates, such as an action's due date, may, within reason.
EARLIEST_DATE = date(1950, 1, 1)
YEARS_AHEAD = 10


def validate_planned_date(value):
    today = date.today()
    if value < EARLIEST_DATE:
        raise ValidationError(_("Check the year: this date lies too far back."))
    if value > today.replace(year=today.year + YEARS_AHEAD, day=min(today.day, 28)):
        raise ValidationError(_("Check the year: this date lies too far ahead."))


def validate_past_date(value):
    if value > date.today():
        raise ValidationError(_("This date lies in the future; give the day it happened."))
    validate_planned_date(value)


# Texts typed into the case file: long enough for a real account, bounded so that a pasted
# book cannot fill the database or the page.
SHORT_TEXT = 1000
LONG_TEXT = 5000


def text_limits(model, **limits):
    """A database check per text field that it holds at most its number of characters."""
    return [
        models.CheckConstraint(
            condition=LessThanOrEqual(Length(name), limit),
            name=f"{model}_{name}_length",
            violation_error_message=_("This text is too long."),
        )
        for name, limit in limits.items()
    ]


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


class CaseRecord(models.Model):
    """A record of the cycle. Saving or deleting one refreshes the stored state of its case
    (see Case) in the same transaction: the one place that state is written from."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.refresh_case()

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            self.refresh_case()
        return result

    def refresh_case(self):
        Case.objects.refresh(self.client_id)


class Intake(CaseRecord):
    """The brede intake, starting from the resident's own words (omgekeerde toets)."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="intakes", verbose_name=_("client")
    )
    held_on = models.DateField(_("held on"), validators=[validate_past_date])
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consultant"),
    )
    what_matters = models.TextField(_("what matters to me"), blank=True, max_length=LONG_TEXT)
    wishes = models.TextField(_("what I want to do"), blank=True, max_length=LONG_TEXT)
    contribution = models.TextField(_("what I can contribute"), blank=True, max_length=LONG_TEXT)
    notes = models.TextField(_("consultant's notes"), blank=True, max_length=LONG_TEXT)
    history = HistoricalRecords()

    OWN_WORDS = ["what_matters", "wishes", "contribution"]

    class Meta:
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["client", "-held_on"], name="intake_client_latest")]
        constraints = text_limits(
            "intake",
            what_matters=LONG_TEXT,
            wishes=LONG_TEXT,
            contribution=LONG_TEXT,
            notes=LONG_TEXT,
        )

    def __str__(self):
        return _("Intake of %(date)s") % {"date": date_format(self.held_on)}

    def clean(self):
        if not any(getattr(self, name).strip() for name in self.OWN_WORDS):
            raise ValidationError(
                _("Write down at least one thing in the resident's own words."),
                code="no_own_words",
            )

    @classmethod
    @transaction.atomic
    def hold(cls, client, held_on, by, assessment, **own_words):
        """The brede intake: the resident's own words and the assessment made with them.
        `assessment` holds the arguments of Assessment.record but the client and date."""
        intake = cls(client=client, held_on=held_on, consultant=by, **own_words)
        intake.full_clean()
        intake.save()
        Assessment.record(client, held_on, by, intake=intake, **assessment)
        return intake


class Assessment(CaseRecord):
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
    assessed_on = models.DateField(_("assessed on"), validators=[validate_past_date])
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

    @classmethod
    @transaction.atomic
    def record(cls, client, on, by, current_rung, attainable_rung=None, scores=(), intake=None):
        """Assess the ladder rungs and the life domains that matter; `scores` is a list of
        (life domain, level, note)."""
        assessment = cls(
            client=client,
            intake=intake,
            assessed_on=on,
            assessed_by=by,
            current_rung=current_rung,
            attainable_rung=attainable_rung,
        )
        assessment.full_clean()
        assessment.save()
        scored = [
            DomainScore(assessment=assessment, life_domain=domain, level=level, note=note)
            for domain, level, note in scores
        ]
        for score in scored:
            score.full_clean(exclude=["assessment"])
        DomainScore.objects.bulk_create(scored)
        return assessment


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
    note = models.TextField(_("note"), blank=True, max_length=SHORT_TEXT)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("domain score")
        verbose_name_plural = _("domain scores")
        ordering = ["life_domain__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "life_domain"], name="one_score_per_domain_per_assessment"
            ),
            *text_limits("domainscore", note=SHORT_TEXT),
        ]

    def __str__(self):
        return f"{self.life_domain}: {self.level}"


class Perspective(models.TextChoices):
    PAID_WORK = "yes", _("Paid work is possible")
    IN_TIME = "in_time", _("Paid work in time")
    NOT_EXPECTED = "not_expected", _("Paid work not expected")


class Diagnosis(CaseRecord):
    """The diagnosis: category, perspective on paid work, target rung and why."""

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="diagnoses",
        verbose_name=_("client"),
    )
    made_on = models.DateField(_("made on"), validators=[validate_past_date])
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
    rationale = models.TextField(
        _("rationale"), help_text=_("Why this category and perspective."), max_length=LONG_TEXT
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("diagnosis")
        verbose_name_plural = _("diagnoses")
        ordering = ["-made_on", "-pk"]
        indexes = [models.Index(fields=["client", "-made_on"], name="diagnosis_client_latest")]
        constraints = text_limits("diagnosis", rationale=LONG_TEXT)

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

    @transaction.atomic
    def make(self, interventions=()):
        """Record this diagnosis with the interventions it chooses."""
        self.full_clean()
        self.save()
        self.interventions.set(interventions)
        return self


class PlanOfAction(CaseRecord):
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

    @classmethod
    @transaction.atomic
    def add_goal(cls, client, by, description, participation=""):
        """Add a goal to the resident's plan; the first goal draws the plan up, today."""
        plan = client.plans.first()
        if plan is None:
            plan = cls(client=client, drawn_up_on=date.today(), consultant=by)
            plan.full_clean()
            plan.save()
        goal = Goal(plan=plan, description=description, participation=participation)
        goal.full_clean()
        goal.save()
        return goal


class Goal(CaseRecord):
    """What the resident works towards, in one form of participation."""

    plan = models.ForeignKey(
        PlanOfAction, on_delete=models.CASCADE, related_name="goals", verbose_name=_("plan")
    )
    description = models.TextField(_("goal"), max_length=SHORT_TEXT)
    participation = models.CharField(
        _("form of participation"), max_length=10, choices=Participation.choices, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["pk"]
        constraints = text_limits("goal", description=SHORT_TEXT)

    def __str__(self):
        return self.description[:60]

    def refresh_case(self):
        Case.objects.refresh(self.plan.client_id)


class Action(CaseRecord):
    """A step towards a goal: who does what, and when."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="actions", verbose_name=_("goal")
    )
    description = models.TextField(_("action"), max_length=SHORT_TEXT)
    responsible = models.CharField(_("responsible person"), max_length=150, blank=True)
    responsible_organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible organisation"),
    )
    due_on = models.DateField(
        _("due on"), null=True, blank=True, validators=[validate_planned_date]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_on", "pk"]
        constraints = text_limits("action", description=SHORT_TEXT)

    def __str__(self):
        return self.description[:60]

    def clean(self):
        if not self.responsible_organisation_id and not self.responsible.strip():
            raise ValidationError(
                {"responsible": _("Name who is responsible: an organisation or a person.")}
            )

    def refresh_case(self):
        Case.objects.refresh(self.goal.plan.client_id)

    def add(self):
        """Add this action to its goal's plan."""
        self.full_clean()
        self.save()
        return self

    def set_status(self, status, seen=None):
        """Change the status. `seen` is the status the user changed it from: if someone else
        changed it since, StaleRecord refuses the change, which would undo theirs unseen."""
        if status not in self.Status.values:
            raise ValidationError({"status": _("Choose a valid status.")})
        with transaction.atomic():
            if seen is not None:
                # Locked until the end of the transaction: a change at the same moment waits.
                stored = Action.objects.select_for_update().get(pk=self.pk)
                if stored.status != seen:
                    raise StaleRecord(
                        stored,
                        _(
                            "Someone else changed the status of this action meanwhile: it is "
                            "now “%(status)s”. Choose again if it should be different."
                        )
                        % {"status": stored.get_status_display()},
                    )
            self.status = status
            self.save(update_fields=["status"])

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
    def for_provider(self, user):
        """The placements a provider's staff member may see and answer: those in the provisions
        of the organisation they work for. The one access rule of every provider page; anyone
        without the provider role gets none."""
        if not user.is_authenticated or not user.is_active or user.role != Role.PROVIDER:
            return self.none()
        return self.filter(
            provision__provider__memberships__user=user, client__anonymised_on__isnull=True
        )

    def answered_lately(self, today=None):
        """Proposals the provider's staff answered in fermwerk lately: accepted and not yet
        started, or declined in the past PROVIDER_ANSWER_DAYS; the caseload marks them."""
        since = (today or date.today()) - timedelta(days=settings.PROVIDER_ANSWER_DAYS)
        return self.filter(answered_by__isnull=False).filter(
            Q(status=Placement.Status.ACCEPTED)
            | Q(end_reason=Placement.EndReason.DECLINED, end_on__gte=since)
        )

    def open(self):
        return self.exclude(status=Placement.Status.ENDED)

    def taking_a_place(self):
        return self.filter(status__in=Placement.TAKES_A_PLACE)

    def recent(self, today=None):
        """Active, or ended so recently that a re-evaluation may still look back on it."""
        today = today or date.today()
        ended_recently = Q(
            status=Placement.Status.ENDED,
            end_on__gte=today - timedelta(days=settings.RECENT_PLACEMENT_DAYS),
        ) & ~Q(end_reason=Placement.EndReason.DECLINED)
        return self.filter(Q(status=Placement.Status.ACTIVE) | ended_recently)

    def first_in_line_with_a_free_place(self):
        """Waiting placements that head their provision's line while it has a place free
        (by the provision's stored count of places taken, recounted before any case of its
        placements is rebuilt: counting them here would cost a case the whole provision)."""
        return (
            self.filter(status=Placement.Status.WAITING)
            .exclude(Exists(waiting_ahead()))
            .filter(provision__occupied_places__lt=F("provision__capacity_places"))
        )

    def stalled(self, today=None):
        """Proposals and acceptances that have waited too long for a start."""
        today = today or date.today()
        limit = today - timedelta(days=settings.STALLED_PROPOSAL_DAYS)
        return self.filter(
            status__in=[Placement.Status.PROPOSED, Placement.Status.ACCEPTED],
            proposed_on__lt=limit,
        )

    def with_response_due(self):
        """Annotate response_due_on: the day by which the provider agreed in the covenant to
        answer the proposal, counted from the day it was proposed under the agreement in force
        then; None without such an agreement. Each case stores its earliest (see
        refresh_cases_under_agreement for when an agreement changes)."""
        proposed_on = OuterRef("proposed_on")
        agreed_days = (
            Agreement.objects.filter(organisation=OuterRef("provision__provider"))
            .in_force_on(proposed_on)
            .order_by("-valid_from")
            .values("response_days")[:1]
        )
        return self.annotate(response_due_on=AddDays("proposed_on", Subquery(agreed_days)))

    def response_overdue(self, today=None):
        """Proposals the provider has left unanswered for longer than the agreed response time."""
        today = today or date.today()
        return (
            self.filter(status=Placement.Status.PROPOSED)
            .with_response_due()
            .filter(response_due_on__lt=today)
        )

    def waiting_list(self):
        """The waiting list of a provision, first in line first: in the order the proposals
        were recorded, so a proposal dated back cannot jump the queue."""
        return self.filter(status=Placement.Status.WAITING).order_by("pk")

    def recount(self, *provision_ids):
        """Store each provision's places taken, waiting list length and median date put on
        the list, from its placements."""
        mine = Placement.objects.filter(provision=OuterRef("pk"))
        Provision.objects.filter(pk__in=provision_ids).update(
            occupied_places=count_of(mine.taking_a_place()),
            waiting_count=count_of(mine.filter(status=Placement.Status.WAITING)),
        )
        waiting_since = defaultdict(list)
        for provision_id, proposed_on in (
            Placement.objects.filter(provision__in=provision_ids, status=Placement.Status.WAITING)
            .order_by("provision", "proposed_on")
            .values_list("provision", "proposed_on")
        ):
            waiting_since[provision_id].append(proposed_on)
        for provision_id in provision_ids:
            dates = waiting_since.get(provision_id)
            Provision.objects.filter(pk=provision_id).update(
                median_waiting_since=median_low(dates) if dates else None
            )

    def with_place_in_line(self):
        """Annotate how many wait ahead in the same provision (None for a placement not on
        the waiting list): for the few placements of one case, as a long waiting list makes
        counting dear. Counted only for a waiting placement, through the line's own index."""
        return self.annotate(
            ahead_in_line=models.Case(
                When(status=Placement.Status.WAITING, then=count_of(waiting_ahead())),
                default=None,
                output_field=models.IntegerField(),
            )
        )


class AddDays(models.Func):
    """A date plus a whole number of days, as a date (NULL when the number is)."""

    output_field = models.DateField()
    template = "(%(expressions)s)"
    arg_joiner = " + "

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="date(%(expressions)s || ' days')",
            arg_joiner=", '+' || ",
            **extra_context,
        )


def waiting_ahead():
    """The placements waiting before the outer one in its provision's line."""
    return Placement.objects.filter(
        provision=OuterRef("provision"), status=Placement.Status.WAITING, pk__lt=OuterRef("pk")
    )


def count_of(placements):
    return Coalesce(
        Subquery(placements.order_by().values("provision").annotate(n=Count("pk")).values("n")),
        0,
    )


class Placement(CaseRecord):
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

    # A proposal holds its place while the provider decides, so one free place is never
    # promised twice.
    TAKES_A_PLACE = [Status.PROPOSED, Status.ACCEPTED, Status.ACTIVE]

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
    proposed_on = models.DateField(_("proposed on"), validators=[validate_past_date])
    accepted_on = models.DateField(
        _("accepted on"), null=True, blank=True, validators=[validate_past_date]
    )
    accepted_by_provider = models.CharField(
        _("accepted on the word of"),
        max_length=150,
        blank=True,
        help_text=_("Who at the provider agreed, for example by phone or email."),
    )
    start_on = models.DateField(
        _("start date"), null=True, blank=True, validators=[validate_past_date]
    )
    end_on = models.DateField(_("end date"), null=True, blank=True, validators=[validate_past_date])
    end_reason = models.CharField(
        _("reason for ending"), max_length=20, choices=EndReason.choices, blank=True
    )
    end_note = models.TextField(_("explanation"), blank=True, max_length=SHORT_TEXT)
    # Who of the provider's staff answered the proposal in fermwerk, and when; empty when the
    # consultant recorded an answer given by phone or email (accepted_by_provider).
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
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
            # The residents behind a flow figure, newest start first, a page at a time.
            models.Index(fields=["start_on", "id"], name="placement_start"),
            # A provision's waiting line in order: who is first, how many wait ahead of one.
            models.Index(
                fields=["provision", "id"],
                condition=Q(status="waiting"),
                name="placement_waiting_line",
            ),
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
            *text_limits("placement", end_note=SHORT_TEXT),
        ]

    def __str__(self):
        return f"{self.client} – {self.provision}"

    def refresh_case(self):
        """Besides the resident's case: the provision's counts, and the line's first."""
        Placement.objects.recount(self.provision_id)
        super().refresh_case()
        Case.objects.refresh_line(self.provision_id)

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

    def accept(self, on, by_provider, by=None):
        """Record that the provider agreed, on whose word; the proposal already holds the place.
        `by` is the provider's staff member when they answer in fermwerk themselves."""
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
        self.answered_by, self.answered_at = by, timezone.now() if by else None
        self.save(
            update_fields=[
                "status",
                "accepted_on",
                "accepted_by_provider",
                "answered_by",
                "answered_at",
            ]
        )

    def decline(self, on, reason, by):
        """The provider declines the proposal, saying why: it ends, and frees its place for
        the first in line."""
        self._require(self.Status.PROPOSED)
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the proposal is declined.")})
        if on < self.proposed_on:
            raise ValidationError(
                {"end_on": _("The provider cannot decline before the proposal was made.")}
            )
        if on > date.today():
            raise ValidationError({"end_on": _("A proposal cannot be declined in the future.")})
        self.answered_by, self.answered_at = by, timezone.now()
        self.end(on, self.EndReason.DECLINED, reason.strip())

    @property
    def answered_by_provider(self):
        """The provider's staff member answered in fermwerk (not the consultant for them)."""
        return self.answered_by_id is not None

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
        self.full_clean(exclude=["client", "provision", "created_by", "answered_by"])
        self.save()

    @transaction.atomic
    def move_to(self, provision, start_on, motives, blockers=(), blocker_note="", by=None):
        """The transition (overstap): start in `provision`, close this placement the day before."""
        self._require(self.Status.ACTIVE)
        if not motives.strip():
            raise ValidationError({"motives": _("Give the motives for the move.")})
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
        transition = Transition(
            client=self.client,
            from_placement=self,
            to_placement=new,
            moved_on=start_on,
            motives=motives,
            blocker_note=blocker_note,
            recorded_by=by,
        )
        transition.full_clean()
        transition.save()
        transition.blockers.set(blockers)
        # Counted as one move with its blockers, now the transition links the two (the
        # provisions' counts were kept by the saves above).
        Case.objects.refresh(self.client_id)
        return transition

    @property
    def reevaluation_is_overdue(self):
        due = self.reevaluation_due_on
        return self.status == self.Status.ACTIVE and due is not None and due < date.today()

    @property
    def response_is_overdue(self):
        """The provider left the proposal unanswered past the agreed time; needs the
        placement loaded with_response_due()."""
        due = getattr(self, "response_due_on", None)
        return self.status == self.Status.PROPOSED and due is not None and due < date.today()

    @property
    def can_be_offered_a_place(self):
        """First in line with a place free: the consultant can propose it now.
        Needs PlacementQuerySet.with_place_in_line()."""
        return (
            self.status == self.Status.WAITING
            and self.ahead_in_line == 0
            and self.provision.has_free_place()
        )

    def place_in_line(self):
        """1 for the first on the provision's waiting list; None when not waiting."""
        if self.status != self.Status.WAITING:
            return None
        if not hasattr(self, "ahead_in_line"):
            ahead = Placement.objects.filter(pk=self.pk).with_place_in_line()
            self.ahead_in_line = ahead.values_list("ahead_in_line", flat=True).get()
        return self.ahead_in_line + 1

    def next_steps(self):
        """The steps this placement offers next, as (URL name, label, button style)."""
        steps = {
            self.Status.PROPOSED: [
                ("trajectories:accept", _("Provider accepts"), "secondary-action")
            ],
            self.Status.ACCEPTED: [("trajectories:start", _("Start"), "secondary-action")],
            self.Status.ACTIVE: [("trajectories:transition", _("Transition"), "secondary-action")],
            self.Status.WAITING: (
                [("trajectories:offer", _("A place is free"), "secondary-action")]
                if self.can_be_offered_a_place
                else []
            ),
        }.get(self.status, [])
        if self.status == self.Status.ACTIVE:
            steps.append(("trajectories:end", _("End"), "subtle"))
        elif self.status != self.Status.ENDED:
            steps.append(("trajectories:end", _("Withdraw"), "subtle"))
        return steps

    def is_recent(self, today=None):
        """Active, or ended so recently that a re-evaluation may still look back on it."""
        return Placement.objects.filter(pk=self.pk).recent(today).exists()

    def _require(self, status):
        if self.status != status:
            raise ValidationError(
                _("This step is not possible: the placement is %(status)s.")
                % {"status": self.get_status_display().lower()}
            )


class AbsenceReport(models.Model):
    """An absence pattern the provider reports for an active placement: over a period, how
    many days the resident was away and, in words, the pattern (for example every Monday).
    Shown to the consultant on the case page; reports are added, never changed."""

    placement = models.ForeignKey(
        Placement,
        on_delete=models.CASCADE,
        related_name="absence_reports",
        verbose_name=_("placement"),
    )
    period_start = models.DateField(_("from"), validators=[validate_past_date])
    period_end = models.DateField(_("until"), validators=[validate_past_date])
    days_absent = models.PositiveSmallIntegerField(_("days absent"))
    pattern = models.TextField(
        _("pattern"),
        max_length=SHORT_TEXT,
        blank=True,
        help_text=_("For example: absent every Monday, or late after the weekend."),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("absence report")
        verbose_name_plural = _("absence reports")
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="absence_period_ends_after_start",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            *text_limits("absencereport", pattern=SHORT_TEXT),
        ]

    def __str__(self):
        return f"{self.placement} ({self.period_start:%d-%m-%Y} – {self.period_end:%d-%m-%Y})"

    def clean(self):
        errors = {}
        if self.period_start and self.period_end:
            if self.period_end < self.period_start:
                errors["period_end"] = _("The period cannot end before it starts.")
            elif self.days_absent is not None and self.days_absent > (
                (self.period_end - self.period_start).days + 1
            ):
                errors["days_absent"] = _("More days absent than the period has days.")
        if self.placement_id and self.period_start:
            started = self.placement.start_on
            if self.placement.status != Placement.Status.ACTIVE or started is None:
                errors.setdefault(
                    NON_FIELD_ERRORS, _("Absence is reported for a placement that has started.")
                )
            elif self.period_start < started:
                errors["period_start"] = _("The period starts before the placement did.")
        if errors:
            raise ValidationError(errors)


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
    motives = models.TextField(_("motives"), max_length=LONG_TEXT)
    blockers = models.ManyToManyField(
        Blocker, blank=True, related_name="transitions", verbose_name=_("blockers")
    )
    blocker_note = models.TextField(_("other blockers"), blank=True, max_length=LONG_TEXT)
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
        constraints = text_limits("transition", motives=LONG_TEXT, blocker_note=LONG_TEXT)

    def __str__(self):
        return _("Transition of %(date)s") % {"date": date_format(self.moved_on)}


class StepReachedQuerySet(models.QuerySet):
    def lines_of(self, client, placements=()):
        """The work-learning lines the resident is on: those with a step reached, and those of
        the provisions of their open placements; each with its steps in order and, per step,
        when it was reached. Two queries (three with partners), whatever the file's size."""
        reached = {row.step_id: row for row in self.filter(client=client).select_related("step")}
        line_ids = {row.step.line_id for row in reached.values()} | {
            placement.provision.work_learning_line_id
            for placement in placements
            if placement.status != Placement.Status.ENDED
            and placement.provision.work_learning_line_id
        }
        if not line_ids:
            return []
        steps = (
            WorkLearningStep.objects.filter(line__in=line_ids)
            .select_related("line")
            .prefetch_related("partners")
            .order_by("line__name", "position")
        )
        lines = {}
        for step in steps:
            lines.setdefault(step.line, []).append((step, reached.get(step.pk)))
        return [LineProgress(line, line_steps) for line, line_steps in lines.items()]


class LineProgress(namedtuple("LineProgress", ["line", "steps"])):
    """A resident's progress along one work-learning line: its steps, each with the
    StepReached record or None."""

    __slots__ = ()

    @property
    def reached(self):
        return sum(1 for _step, record in self.steps if record)

    @property
    def next_step(self):
        """The first step after the furthest one reached (the first step if none is)."""
        furthest = max((i for i, (_step, record) in enumerate(self.steps) if record), default=-1)
        following = self.steps[furthest + 1 : furthest + 2]
        return following[0][0] if following else None


class StepReached(models.Model):
    """A resident reached a step of a work-learning line: a workplace started, a
    praktijkverklaring obtained."""

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="steps_reached",
        verbose_name=_("client"),
    )
    step = models.ForeignKey(
        WorkLearningStep,
        on_delete=models.PROTECT,
        related_name="reached_by",
        verbose_name=_("step"),
    )
    reached_on = models.DateField(_("reached on"), validators=[validate_past_date])
    note = models.TextField(_("note"), blank=True, max_length=LONG_TEXT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    history = HistoricalRecords()

    objects = StepReachedQuerySet.as_manager()

    class Meta:
        verbose_name = _("step reached in a work-learning line")
        verbose_name_plural = _("steps reached in work-learning lines")
        ordering = ["reached_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "step"],
                name="a_step_is_reached_once",
                violation_error_message=_("The resident has reached this step already."),
            ),
            *text_limits("stepreached", note=LONG_TEXT),
        ]

    def __str__(self):
        return _("%(step)s, reached on %(date)s") % {
            "step": self.step.name,
            "date": date_format(self.reached_on),
        }


class Reevaluation(CaseRecord):
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
    held_on = models.DateField(_("held on"), validators=[validate_past_date])
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
    notes = models.TextField(_("notes"), blank=True, max_length=LONG_TEXT)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("re-evaluation")
        verbose_name_plural = _("re-evaluations")
        ordering = ["-held_on", "-pk"]
        constraints = text_limits("reevaluation", notes=LONG_TEXT)

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

    @classmethod
    @transaction.atomic
    def hold(cls, client, placement, held_on, by, decision, assessment, notes="", end_reason=""):
        """Re-evaluate a placement: assess anew (`assessment` holds the arguments of
        Assessment.record but the client and date), decide, and carry the decision out."""
        if decision == cls.Decision.END and not end_reason:
            raise ValidationError({"end_reason": _("Give the reason for ending the placement.")})
        # The movement is measured from the assessment before this re-evaluation's own date,
        # also when it is entered after a later one.
        before = (
            client.assessments.filter(assessed_on__lte=held_on)
            .select_related("current_rung")
            .first()
        )
        reevaluation = cls(
            client=client,
            placement=placement,
            held_on=held_on,
            consultant=by,
            decision=decision,
            notes=notes,
            rung_before=before.current_rung if before else None,
        )
        reevaluation.full_clean(exclude=["assessment"])
        reevaluation.assessment = Assessment.record(client, held_on, by, **assessment)
        reevaluation.save()
        reevaluation.apply_decision(end_reason)
        return reevaluation

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


class CaseNote(models.Model):
    """A contact, a note or a case conference (casusoverleg) in the case file."""

    class Kind(models.TextChoices):
        CONTACT = "contact", _("Contact")
        NOTE = "note", pgettext_lazy("kind of case note", "Note")
        CASE_CONFERENCE = "conference", _("Case conference")

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="notes", verbose_name=_("client")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NOTE)
    happened_on = models.DateField(_("date"), validators=[validate_past_date])
    text = models.TextField(_("text"), max_length=LONG_TEXT)
    participants = models.TextField(
        _("participants"),
        blank=True,
        help_text=_("Who took part, for a case conference."),
        max_length=SHORT_TEXT,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    # The author's organisation when they wrote it: a social team's note stays theirs.
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["-happened_on", "-pk"]
        constraints = text_limits("casenote", text=LONG_TEXT, participants=SHORT_TEXT)

    def __str__(self):
        return f"{self.get_kind_display()} {date_format(self.happened_on)}"

    def clean(self):
        if self.kind == self.Kind.CASE_CONFERENCE and not self.participants.strip():
            raise ValidationError({"participants": _("Name who took part in the case conference.")})

    def record(self):
        """Add this contact, note or case conference to the case file."""
        if self.author and not self.organisation_id:
            self.organisation = self.author.organisation
        self.full_clean()
        self.save()
        return self


class Referral(models.Model):
    """A social team's referral (aanmelding) of a resident to the werkbedrijf. It lands on
    the resident's file, a new one in intake when the werkbedrijf did not know them."""

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="referrals",
        verbose_name=_("client"),
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("referred by organisation"),
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("referred by"),
    )
    question = models.TextField(_("question"), max_length=LONG_TEXT)
    consent_form = models.CharField(_("consent given"), max_length=20, choices=ConsentForm.choices)
    consent_given_on = models.DateField(_("consent given on"), validators=[validate_past_date])
    referred_at = models.DateTimeField(_("referred at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_at", "-pk"]
        constraints = text_limits("referral", question=LONG_TEXT)

    def __str__(self):
        return f"{self.client} – {self.organisation}"


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The cases of the residents a user may see: the same rule as for the residents,
        read from the municipality each case keeps."""
        return self.filter(municipality__in=Client.objects.municipalities_visible_to(user))

    def in_name_order(self):
        """In the order of the residents' names, as the lists show them: a caseload reads a
        page of its cases through case_caseload_order, or the stage's or chain step's
        index of the caseload."""
        return self.order_by("last_name", "first_name", "pk")

    def needing_attention(self, today=None):
        """Something overdue, a proposal stalled, or a free place to offer."""
        today = today or date.today()
        return self.filter(Q(attention_from__lte=today) | Q(place_offerable=True))

    def refresh(self, *client_ids):
        """Open the cases of these residents where needed and store their state anew."""
        Case.objects.bulk_create(
            [Case(client_id=pk) for pk in client_ids if pk is not None], ignore_conflicts=True
        )
        return Case.objects.filter(pk__in=client_ids).rebuild()

    def refresh_line(self, provision_id):
        """Refresh whoever heads the provision's waiting list or was told a place is free."""
        waiting = Placement.objects.filter(provision=provision_id, status=Placement.Status.WAITING)
        first = waiting.order_by("pk").values("client")[:1]
        told = Case.objects.filter(place_offerable=True, client__in=waiting.values("client"))
        # Chosen before the rebuild changes what chose them.
        ids = list(
            Case.objects.filter(Q(pk__in=first) | Q(pk__in=told)).values_list("pk", flat=True)
        )
        return Case.objects.filter(pk__in=ids).rebuild()

    @transaction.atomic(savepoint=False)
    def rebuild(self, keep_counts=True):
        """Derive each case's state from its records and keep the counts: two UPDATEs and the
        counts' differences, whatever the number of cases, selected by something the rebuild
        does not change. Without keep_counts the counts are left alone, for a caller that
        counts every case anew afterwards (recount_cases): adding the differences key by key
        is the slow part of rebuilding many cases."""
        client = OuterRef("pk")
        placements = Placement.objects.filter(client=client)
        active = placements.filter(status=Placement.Status.ACTIVE)
        latest_diagnosis = Diagnosis.objects.filter(client=client).order_by("-made_on", "-pk")
        latest_assessment = Assessment.objects.filter(client=client).order_by("-assessed_on", "-pk")
        reevaluation_due = Subquery(
            active.filter(reevaluation_due_on__isnull=False)
            .order_by("reevaluation_due_on")
            .values("reevaluation_due_on")[:1]
        )
        action_due = Subquery(
            Action.objects.filter(
                goal__plan__client=client, status=Action.Status.OPEN, due_on__isnull=False
            )
            .order_by("due_on")
            .values("due_on")[:1]
        )
        pending = placements.filter(
            status__in=[Placement.Status.PROPOSED, Placement.Status.ACCEPTED]
        )
        record = Client.objects.filter(pk=client)
        rung_of = latest_assessment.values("current_rung__number")
        # Locked before they are counted: a rebuild of the same case at the same moment waits,
        # then counts what this one wrote, so both differences add up.
        list(self.select_for_update().values_list("pk"))
        before = self.tallies() if keep_counts else None
        moves_before = {
            pk: (municipality, moves)
            for pk, municipality, moves in self.values_list("pk", "municipality", "moves")
        }
        changed = self.update(
            municipality=Subquery(record.values("municipality")[:1]),
            consultant=Subquery(record.values("consultant")[:1]),
            last_name=Subquery(record.values("last_name")[:1]),
            first_name=Subquery(record.values("first_name")[:1]),
            stage=derived_stage(),
            category=Subquery(latest_diagnosis.values("category")[:1]),
            rung=Subquery(latest_assessment.values("current_rung")[:1]),
            chain_step=Subquery(
                active.order_by("-start_on", "-pk").values("provision__chain_step")[:1]
            ),
            reevaluation_due_on=reevaluation_due,
            action_due_on=action_due,
            proposal_since=Subquery(pending.order_by("proposed_on").values("proposed_on")[:1]),
            response_due_on=Subquery(
                placements.filter(status=Placement.Status.PROPOSED)
                .with_response_due()
                .filter(response_due_on__isnull=False)
                .order_by("response_due_on")
                .values("response_due_on")[:1]
            ),
            place_offerable=Exists(placements.first_in_line_with_a_free_place()),
            entered_on=Subquery(
                Intake.objects.filter(client=client).order_by("held_on").values("held_on")[:1]
            ),
            left_on=Subquery(record.values("closed_on")[:1]),
            left_for_paid_work=Exists(
                record.filter(closed_on__isnull=False, closed_reason=Client.ClosedReason.PAID_WORK)
            ),
            assessed_on=Subquery(latest_assessment.values("assessed_on")[:1]),
            rungs_moved=Subquery(rung_of[:1]) - Subquery(rung_of[1:2]),
        )
        if changed:
            self.update(
                # The earlier of the two, from the row just written (LEAST is NULL on SQLite
                # when either is).
                next_due_on=Coalesce(
                    Least("reevaluation_due_on", "action_due_on"),
                    "reevaluation_due_on",
                    "action_due_on",
                ),
                attention_from=first_overdue_day(),
            )
            if keep_counts:
                after = self.tallies()
                CaseCount.objects.add(after[0], before[0])
                FlowCount.objects.add(after[1], before[1])
            self.count_moves(moves_before, keep_counts)
        return changed

    def count_moves(self, before, keep_counts=True):
        """Store each case's moves along the chain anew and add what changed to the counts
        (if keep_counts). `before` is {case pk: (municipality, moves)} as stored before the
        rebuild."""
        pks = list(before)
        for start in range(0, len(pks), MOVES_CHUNK):
            chunk = pks[start : start + MOVES_CHUNK]
            derived = moves_of(chunk)
            municipalities = dict(
                Case.objects.filter(pk__in=chunk).values_list("pk", "municipality")
            )
            after = {pk: (municipalities[pk], derived.get(pk, [])) for pk in chunk}
            changed = [pk for pk in chunk if after[pk] != before[pk]]
            Case.objects.bulk_update(
                [
                    Case(pk=pk, moves=after[pk][1])
                    for pk in changed
                    if after[pk][1] != before[pk][1]
                ],
                ["moves"],
                batch_size=1000,
            )
            if not keep_counts:
                continue
            old = move_tallies(before[pk] for pk in changed)
            new = move_tallies(after[pk] for pk in changed)
            MoveCount.objects.add(new[0], old[0])
            BlockerCount.objects.add(new[1], old[1])

    def forget(self):
        """Take these cases out of the counts, before their residents are removed."""
        case_tally, flow_tally = self.tallies()
        CaseCount.objects.add({}, case_tally)
        FlowCount.objects.add({}, flow_tally)
        move_tally, blocker_tally = move_tallies(self.values_list("municipality", "moves"))
        MoveCount.objects.add({}, move_tally)
        BlockerCount.objects.add({}, blocker_tally)

    def tally(self):
        """These cases counted by everything the reports group or filter them by, as
        {CountKey: count}; a case not yet derived (no municipality) is not counted."""
        return self.tallies()[0]

    def tallies(self):
        """(the CaseCount tally, the FlowCount tally {FlowKey: count}) of these cases, from
        one read of their stored state."""
        dimensions = [*CountKey._fields, *CASE_FLOW_FIELDS]
        cases, flows = Counter(), Counter()
        rows = (
            self.filter(municipality__isnull=False)
            .order_by()
            .values_list(*dimensions)
            .annotate(n=Count("pk"))
        )
        for *values, n in rows:
            case = dict(zip(dimensions, values, strict=True))
            cases[CountKey(*values[: len(CountKey._fields)])] += n
            for key in FlowKey.of_case(case):
                flows[key] += n
        return dict(cases), dict(flows)


def recount_cases():
    """Replace every count of the cases by a tally of all of them, as stored."""
    case_tally, flow_tally = Case.objects.tallies()
    CaseCount.objects.recount(case_tally)
    FlowCount.objects.recount(flow_tally)
    move_tally, blocker_tally = move_tallies(
        Case.objects.values_list("municipality", "moves").iterator(chunk_size=5000)
    )
    MoveCount.objects.recount(move_tally)
    BlockerCount.objects.recount(blocker_tally)


# The stored state of a case its flows are counted from.
CASE_FLOW_FIELDS = [
    "entered_on",
    "left_on",
    "left_for_paid_work",
    "assessed_on",
    "rungs_moved",
    "reevaluation_due_on",
    "proposal_since",
]


class CountKey(
    namedtuple(
        "CountKey", ["municipality", "consultant", "stage", "category", "rung", "chain_step"]
    )
):
    """What the stored counts are kept per: the dimensions of the managers' dashboard."""

    __slots__ = ()

    def fields(self):
        """As field values of a CaseCount."""
        return {
            name if name == "stage" else f"{name}_id": value
            for name, value in self._asdict().items()
        }


def stage_counts(tally):
    """[(stage, number of cases)] in the order of the cycle, zeros included."""
    counts = {stage: 0 for stage in Stage}
    for key, count in tally.items():
        counts[Stage(key.stage)] += count
    return list(counts.items())


NEVER = date(9999, 12, 31)


def first_overdue_day():
    """The day after the first of: the next step's due date (the re-evaluation's or the
    action's), the last day a proposal may wait for a start, the provider's answer's due date;
    NULL when none is set. An SQL expression over the case's own row; a date not set stands
    in as NEVER, because LEAST skips NULLs on PostgreSQL only."""
    never = Value(NEVER)
    return NullIf(
        Least(
            *(
                Coalesce(AddDays(field, Value(days)), never)
                for field, days in [
                    ("reevaluation_due_on", 1),
                    ("action_due_on", 1),
                    ("proposal_since", settings.STALLED_PROPOSAL_DAYS + 1),
                    ("response_due_on", 1),
                ]
            )
        ),
        never,
    )


def stall_limit(today):
    """A proposal made before this day has waited too long for a start."""
    return today - timedelta(days=settings.STALLED_PROPOSAL_DAYS)


def derived_stage():
    """The stage as an SQL expression over a resident's records: the first step still to do,
    and back to placement when a re-evaluation advised a move up or down."""
    client = OuterRef("pk")
    active = Placement.objects.filter(client=client, status=Placement.Status.ACTIVE)
    latest_decision = Reevaluation.objects.filter(placement=OuterRef("pk")).order_by(
        "-held_on", "-pk"
    )
    move_advised = active.alias(decision=Subquery(latest_decision.values("decision")[:1])).filter(
        decision__in=Reevaluation.MOVES
    )
    return models.Case(
        When(~Exists(Intake.objects.filter(client=client)), then=Value(Stage.INTAKE)),
        When(~Exists(Diagnosis.objects.filter(client=client)), then=Value(Stage.DIAGNOSIS)),
        When(~Exists(PlanOfAction.objects.filter(client=client)), then=Value(Stage.PLAN)),
        When(~Exists(active), then=Value(Stage.PLACEMENT)),
        When(Exists(move_advised), then=Value(Stage.PLACEMENT)),
        default=Value(Stage.REEVALUATION),
        output_field=models.CharField(),
    )


class Case(models.Model):
    """The state of one resident's case, derived from the records of the cycle and stored so
    that lists and reports filter, sort and count it through indexes at any size.

    Only CaseQuerySet.rebuild writes it, called when a record of the cycle is saved; the
    command `rebuild_cases` derives it anew for every resident. Dates are stored, never
    flags that go stale: whether something is overdue is the query's comparison with today.
    """

    client = models.OneToOneField(
        Client,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="case",
        verbose_name=_("client"),
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.INTAKE)
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("category"),
    )
    rung = models.ForeignKey(
        LadderRung,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("ladder rung"),
    )
    chain_step = models.ForeignKey(
        "provisions.ChainStep",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("chain step"),
        help_text=_("Of the placement that started last among the active ones."),
    )
    # Of the resident's record, kept here so that caseloads and counts need no join.
    municipality = models.ForeignKey(
        "partners.Municipality",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("consultant"),
        # The caseload's indexes below start with the consultant: a plain one would be a copy.
        db_index=False,
    )
    # The resident's name too, so that a caseload filtered by the case's state reads one page
    # in the order of the names from an index (see in_name_order).
    last_name = models.CharField(_("last name"), max_length=100, editable=False, default="")
    first_name = models.CharField(_("first name"), max_length=100, editable=False, default="")
    reevaluation_due_on = models.DateField(_("re-evaluation due on"), null=True)
    action_due_on = models.DateField(_("open action due on"), null=True)
    next_due_on = models.DateField(_("next step due on"), null=True)
    proposal_since = models.DateField(_("proposal waiting since"), null=True)
    place_offerable = models.BooleanField(_("first in line with a place free"), default=False)
    response_due_on = models.DateField(_("provider's answer due on"), null=True)
    # The first day something is overdue: the next step, a proposal waiting for a start, or a
    # provider's answer. A list of cases needing attention today reads it through an index.
    attention_from = models.DateField(_("needs attention from"), null=True)
    # What the flows over a period count, per case: when the resident came in and left, and
    # how far their latest assessment moved them from the one before.
    entered_on = models.DateField(_("first intake held on"), null=True)
    left_on = models.DateField(_("file closed on"), null=True)
    left_for_paid_work = models.BooleanField(_("left for paid work"), default=False)
    assessed_on = models.DateField(_("latest assessment on"), null=True)
    rungs_moved = models.SmallIntegerField(
        _("rungs moved"),
        null=True,
        help_text=_("Since the assessment before the latest; empty with fewer than two."),
    )
    # The moves along the chain this case is counted in (see moves_of), kept so that the
    # next rebuild knows what to take out of the counts.
    moves = models.JSONField(_("moves along the chain"), default=list, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["stage"], name="case_stage"),
            # A caseload page by page in the order of the names (in_name_order): all of it,
            # or one stage, or one stage and category. The columns after the order are read
            # from the index too, to pass over the cases of another category or municipality
            # (Case.visible_to) without reading their rows.
            models.Index(
                fields=["consultant", "last_name", "first_name", "client", "municipality"],
                name="case_caseload_order",
            ),
            models.Index(
                fields=[
                    "consultant",
                    "stage",
                    "last_name",
                    "first_name",
                    "client",
                    "category",
                    "municipality",
                ],
                name="case_caseload_stage_order",
            ),
            models.Index(
                fields=["consultant", "chain_step", "last_name", "first_name", "client"],
                name="case_caseload_step_order",
            ),
            models.Index(fields=["consultant", "attention_from"], name="case_caseload_attention"),
            models.Index(fields=["attention_from"], name="case_attention_from"),
            models.Index(
                fields=["place_offerable"],
                condition=Q(place_offerable=True),
                name="case_place_offerable",
            ),
        ]

    def __str__(self):
        return str(self.client)

    def get_absolute_url(self):
        return reverse("trajectories:case", args=[self.pk])

    @property
    def is_overdue(self):
        return self.next_due_on is not None and self.next_due_on < date.today()

    @property
    def proposal_stalled(self):
        return self.proposal_since is not None and self.proposal_since < stall_limit(date.today())

    @property
    def needs_attention(self):
        return self.is_overdue or self.proposal_stalled or self.place_offerable

    @cached_property
    def next_step(self):
        """(what the consultant does next, its due date or None), from the stored state.

        A free place to offer first, then a stalled proposal, then an action of the plan once
        it is late or falls before the re-evaluation; otherwise the stage says what is next."""
        today = date.today()
        if self.place_offerable:
            return _("Offer the free place"), None
        if self.stage == Stage.PLACEMENT and self.proposal_stalled:
            return _("Ask the provider about the proposal"), None
        action_first = self.action_due_on and (
            self.action_due_on < today
            or (self.stage == Stage.REEVALUATION and self.action_due_on == self.next_due_on)
        )
        if action_first:
            return _("Follow up the action in the plan"), self.action_due_on
        if self.stage == Stage.REEVALUATION:
            return NEXT_STEPS[self.stage], self.reevaluation_due_on
        return NEXT_STEPS[self.stage], None

    def primary_step(self, placements=()):
        """The step the case page offers first, as (URL, label): a free place to offer, else
        the stage's own step. `placements` are the case's, with_place_in_line()."""
        if self.place_offerable:
            for placement in placements:
                if placement.can_be_offered_a_place:
                    url = reverse("trajectories:offer", args=[self.pk, placement.pk])
                    return url, _("Offer the free place")
        url_name, label = PRIMARY_STEPS[self.stage]
        return reverse(url_name, args=[self.pk]), label

    def offers_plan_steps(self):
        return self.stage not in (Stage.INTAKE, Stage.DIAGNOSIS)

    @property
    def reevaluation_is_next(self):
        """The re-evaluation is the step the case page offers first."""
        return self.stage == Stage.REEVALUATION


class CountQuerySet(models.QuerySet):
    """Counts kept per key (the model's `Key`, a namedtuple with `fields()`): one of the two
    tallies of CaseQuerySet.tallies."""

    def add(self, after, before):
        """Add the difference of two tallies (see CaseQuerySet.tallies) to the counts."""
        for key in after.keys() | before.keys():
            difference = after.get(key, 0) - before.get(key, 0)
            # One row of the key takes the difference: a key can have several (two first
            # counts at once, or rows merged when a consultant or rung is deleted), and every
            # reader adds them up.
            first = self.filter(**key.fields()).order_by("pk").values("pk")[:1]
            if difference and not self.filter(pk__in=first).update(count=F("count") + difference):
                self.create(**key.fields(), count=difference)

    def recount(self, tally):
        """Replace the counts by a tally of every case (after `rebuild_cases`)."""
        self.all().delete()
        self.bulk_create((self.model(**key.fields(), count=n) for key, n in tally.items()), 5000)

    def tally(self):
        """The counts as CaseQuerySet.tallies gives them."""
        key = self.model.Key
        rows = self.order_by().values_list(*key._fields).annotate(n=models.Sum("count"))
        return {key(*row[:-1]): row[-1] for row in rows if row[-1]}


class CountPerCase(models.Model):
    """A count kept by every rebuild of a case, per the dashboard's filters: municipality,
    consultant and chain step (see CountQuerySet)."""

    municipality = models.ForeignKey(
        "partners.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("municipality"),
    )
    # Cleared with the case's own when the user goes, so that the two keep adding up.
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("consultant"),
    )
    chain_step = models.ForeignKey(
        "provisions.ChainStep",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("chain step"),
    )
    count = models.IntegerField(_("number of cases"), default=0)

    objects = CountQuerySet.as_manager()

    class Meta:
        abstract = True


class CaseCount(CountPerCase):
    """How many cases there are per municipality, consultant, stage, category, ladder rung and
    chain step: kept by every rebuild of a case in the same transaction, so that reports read
    a few rows whatever the number of residents."""

    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("category")
    )
    rung = models.ForeignKey(
        LadderRung,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("ladder rung"),
    )

    Key = CountKey

    class Meta:
        verbose_name = _("case count")
        verbose_name_plural = _("case counts")
        indexes = [
            models.Index(
                fields=["municipality", "consultant", "stage", "category", "rung", "chain_step"],
                name="casecount_key",
            ),
        ]

    def __str__(self):
        return f"{self.municipality_id} {self.stage} {self.category_id}: {self.count}"


class FlowKind(models.TextChoices):
    ENTERED = "entered", _("Came in")
    LEFT_FOR_PAID_WORK = "left_paid_work", _("Left for paid work")
    LEFT_OTHERWISE = "left_otherwise", _("Left otherwise")
    MOVED = "moved", _("Moved on the ladder")
    # Residents with an open file, by the month they came in: how long they have been in.
    IN_CYCLE = "in_cycle", _("In the cycle")
    # Cases by the month, and by the day, their next re-evaluation falls due and their oldest
    # open proposal was made: how many are overdue or stalled today (see flows.attention).
    REEVALUATION_DUE = "reevaluation_due", _("Re-evaluation falling due")
    REEVALUATION_DUE_DAY = "reevaluation_due_day", _("Re-evaluation falling due, by day")
    PROPOSAL_WAITING = "proposal_waiting", _("Proposal waiting")
    PROPOSAL_WAITING_DAY = "proposal_waiting_day", _("Proposal waiting, by day")


class FlowKey(
    namedtuple("FlowKey", ["municipality", "consultant", "chain_step", "kind", "month", "rungs"])
):
    """What the flow counts are kept per: the dashboard's filters, a kind of flow, its month
    and, for movement on the ladder, how many rungs."""

    __slots__ = ()

    def fields(self):
        """As field values of a FlowCount."""
        return {
            name if name in ("kind", "month", "rungs") else f"{name}_id": value
            for name, value in self._asdict().items()
        }

    @classmethod
    def of_case(cls, case):
        """The flows one case's stored state counts in; `case` is a dict of its fields."""
        filters = case["municipality"], case["consultant"], case["chain_step"]
        if case["entered_on"]:
            yield cls(*filters, FlowKind.ENTERED, case["entered_on"].replace(day=1), 0)
            if not case["left_on"]:
                yield cls(*filters, FlowKind.IN_CYCLE, case["entered_on"].replace(day=1), 0)
        if case["left_on"]:
            kind = (
                FlowKind.LEFT_FOR_PAID_WORK
                if case["left_for_paid_work"]
                else FlowKind.LEFT_OTHERWISE
            )
            yield cls(*filters, kind, case["left_on"].replace(day=1), 0)
        if case["rungs_moved"] is not None:
            month = case["assessed_on"].replace(day=1)
            yield cls(*filters, FlowKind.MOVED, month, case["rungs_moved"])
        for day, by_month, by_day in [
            (case["reevaluation_due_on"], FlowKind.REEVALUATION_DUE, FlowKind.REEVALUATION_DUE_DAY),
            (case["proposal_since"], FlowKind.PROPOSAL_WAITING, FlowKind.PROPOSAL_WAITING_DAY),
        ]:
            if day:
                yield cls(*filters, by_month, day.replace(day=1), 0)
                yield cls(*filters, by_day, day, 0)


class FlowCount(CountPerCase):
    """How many residents came in, left (for paid work or otherwise) or moved on the ladder
    per month, how many with an open file came in in each month, and how many cases have a
    re-evaluation falling due or a proposal waiting since each month and each day: per
    municipality, consultant and chain step, kept by every rebuild of a case like CaseCount,
    so that the flows over any period read a few rows whatever the number of residents.
    Every reader picks its kinds."""

    kind = models.CharField(_("kind"), max_length=20, choices=FlowKind.choices)
    # The first day of the month; the day itself for the kinds counted by day.
    month = models.DateField(_("month"))
    rungs = models.SmallIntegerField(_("rungs moved"), default=0)

    Key = FlowKey

    class Meta:
        verbose_name = _("flow count")
        verbose_name_plural = _("flow counts")
        indexes = [
            models.Index(
                fields=["kind", "month", "municipality", "consultant", "chain_step", "rungs"],
                name="flowcount_key",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.month:%Y-%m}: {self.count}"


class MoveOutcome(models.TextChoices):
    """Where a move along the chain led: into a chain step, or out of the chain."""

    STEP = "step", _("Into a chain step")
    PAID_WORK = "paid_work", _("Left for paid work")
    OTHERWISE = "otherwise", _("Left otherwise")


# Cases whose moves are derived in one go: bounds the memory of a rebuild of every case.
MOVES_CHUNK = 5000


def whole_months(start, end):
    """Whole months from one day to a later one."""
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def moves_of(case_pks):
    """{case pk: [move]}: the moves along the chain of these residents' placements, each
    [month, from step, to step, outcome, whole months spent in the step left, [blockers]].

    A placement that started is a move into its step: from the step of the placement it
    took over from (a transition, with that transition's blockers), else from outside the
    chain ("came in", from step None). A placement that ended without a transition to the
    next is a move out of the chain, for paid work or otherwise."""
    transition_blockers = defaultdict(list)
    for transition, blocker in (
        Transition.blockers.through.objects.filter(transition__client__in=case_pks)
        .order_by("blocker")
        .values_list("transition", "blocker")
    ):
        transition_blockers[transition].append(blocker)
    moves = defaultdict(list)
    for row in (
        Placement.objects.filter(client__in=case_pks, start_on__isnull=False)
        .order_by("client", "start_on", "pk")
        .values(
            "client",
            "provision__chain_step",
            "start_on",
            "status",
            "end_on",
            "end_reason",
            "transition_in",
            "transition_in__from_placement__provision__chain_step",
            "transition_in__from_placement__start_on",
            "transition_out",
        )
    ):
        step, start_on = row["provision__chain_step"], row["start_on"]
        if row["transition_in"]:
            moved_from = row["transition_in__from_placement__start_on"]
            moves[row["client"]].append(
                [
                    start_on.replace(day=1).isoformat(),
                    row["transition_in__from_placement__provision__chain_step"],
                    step,
                    MoveOutcome.STEP.value,
                    whole_months(moved_from, start_on),
                    transition_blockers[row["transition_in"]],
                ]
            )
        else:
            moves[row["client"]].append(
                [start_on.replace(day=1).isoformat(), None, step, MoveOutcome.STEP.value, None, []]
            )
        if row["status"] == Placement.Status.ENDED and not row["transition_out"]:
            paid = row["end_reason"] == Placement.EndReason.PAID_WORK
            moves[row["client"]].append(
                [
                    row["end_on"].replace(day=1).isoformat(),
                    step,
                    None,
                    (MoveOutcome.PAID_WORK if paid else MoveOutcome.OTHERWISE).value,
                    whole_months(start_on, row["end_on"]),
                    [],
                ]
            )
    return moves


def move_tallies(cases):
    """(the MoveCount tally {MoveKey: count}, the BlockerCount tally {BlockerKey: count}) of
    cases given as (municipality, moves); a case not yet derived is not counted."""
    moves, blockers = Counter(), Counter()
    for municipality, case_moves in cases:
        if municipality is None:
            continue
        for month, from_step, to_step, outcome, months, blocker_pks in case_moves:
            month = date.fromisoformat(month)
            moves[MoveKey(municipality, month, from_step, to_step, outcome, months)] += 1
            for blocker in blocker_pks:
                blockers[BlockerKey(municipality, month, from_step, to_step, blocker)] += 1
    return dict(moves), dict(blockers)


class MoveKey(
    namedtuple("MoveKey", ["municipality", "month", "from_step", "to_step", "outcome", "months"])
):
    """What the moves along the chain are counted per."""

    __slots__ = ()

    def fields(self):
        return {
            "municipality_id": self.municipality,
            "month": self.month,
            "from_step_id": self.from_step,
            "to_step_id": self.to_step,
            "outcome": self.outcome,
            "months": self.months,
        }


class BlockerKey(
    namedtuple("BlockerKey", ["municipality", "month", "from_step", "to_step", "blocker"])
):
    """What the blockers that held a move up are counted per."""

    __slots__ = ()

    def fields(self):
        return {
            "municipality_id": self.municipality,
            "month": self.month,
            "from_step_id": self.from_step,
            "to_step_id": self.to_step,
            "blocker_id": self.blocker,
        }


class ChainMoveCount(models.Model):
    """Shared by the counts of moves along the chain: per municipality, month, the step left
    (none: came in) and the step entered (none: left the chain). Kept by every rebuild of a
    case in the same transaction, so that the flows over any period read a few rows whatever
    the number of residents."""

    municipality = models.ForeignKey(
        "partners.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("municipality"),
    )
    month = models.DateField(_("month"))
    from_step = models.ForeignKey(
        "provisions.ChainStep",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        verbose_name=_("from chain step"),
    )
    to_step = models.ForeignKey(
        "provisions.ChainStep",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        verbose_name=_("to chain step"),
    )
    count = models.IntegerField(_("number of moves"), default=0)

    objects = CountQuerySet.as_manager()

    class Meta:
        abstract = True


class MoveCount(ChainMoveCount):
    """How many residents moved from one chain step (or from outside) to another (or out of
    the chain, for paid work or otherwise), and how many whole months they had spent in the
    step they left."""

    outcome = models.CharField(_("outcome"), max_length=10, choices=MoveOutcome.choices)
    months = models.SmallIntegerField(_("months in the step left"), null=True)

    Key = MoveKey

    class Meta:
        verbose_name = _("move count")
        verbose_name_plural = _("move counts")
        indexes = [models.Index(fields=["month", "municipality"], name="movecount_month")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.from_step_id}->{self.to_step_id}: {self.count}"


class BlockerCount(ChainMoveCount):
    """How often a blocker held up a move from one chain step to another."""

    blocker = models.ForeignKey(
        Blocker, on_delete=models.CASCADE, related_name="+", verbose_name=_("blocker")
    )

    Key = BlockerKey

    class Meta:
        verbose_name = _("blocker count")
        verbose_name_plural = _("blocker counts")
        indexes = [models.Index(fields=["month", "municipality"], name="blockercount_month")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.blocker_id}: {self.count}"


NEXT_STEPS = {
    Stage.INTAKE: _("Hold the brede intake"),
    Stage.DIAGNOSIS: _("Make the diagnosis"),
    Stage.PLAN: _("Draw up the plan of action"),
    Stage.PLACEMENT: _("Arrange a placement"),
    Stage.REEVALUATION: _("Re-evaluate the placement"),
}
PRIMARY_STEPS = {
    Stage.INTAKE: ("trajectories:intake", _("Brede intake")),
    Stage.DIAGNOSIS: ("trajectories:diagnosis", _("Make the diagnosis")),
    Stage.PLAN: ("trajectories:goal", _("Add a goal to the plan")),
    Stage.PLACEMENT: ("trajectories:propose", _("Propose a placement")),
    Stage.REEVALUATION: ("trajectories:reevaluation", _("Re-evaluate")),
}


class FormDraft(models.Model):
    """What a consultant typed into a step form and has not saved yet; it outlives a closed tab."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("typed by"),
    )
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="+", verbose_name=_("client")
    )
    form_name = models.CharField(_("form"), max_length=40)
    data = models.JSONField(_("what was typed"), default=dict)
    saved_at = models.DateTimeField(_("saved at"), auto_now=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client", "form_name"], name="one_draft_per_form"
            ),
        ]

    def __str__(self):
        return f"{self.form_name} ({self.saved_at:%Y-%m-%d %H:%M})"


class BulkExportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An export is its requester's: it holds the summaries of many residents."""
        return self.filter(requested_by=user) if user.is_authenticated else self.none()

    def expired(self):
        """Finished longer ago than the days an export is kept: its summaries should not lie
        around once they have been handed over."""
        kept_since = timezone.now() - timedelta(days=settings.BULK_EXPORT_KEEP_DAYS)
        return self.filter(finished_at__lt=kept_since)


# A running bulk export that has written no summary for this long has lost its worker.
STALLED_AFTER = timedelta(minutes=10)


class BulkExport(models.Model):
    """The PDF case summaries of a selection of residents (a municipality, a consultant's
    caseload) as one ZIP, built in the background by a task (trajectories/exports.py)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for its turn")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    municipality = models.ForeignKey(
        "partners.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("caseload of"),
    )
    reason = models.TextField(_("reason"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("summaries in all"), default=0)
    done = models.PositiveIntegerField(_("summaries done"), default=0)
    error = models.CharField(_("what went wrong"), max_length=500, blank=True)
    # How many times its build was started: only the latest attempt writes (see exports.start).
    attempt = models.PositiveIntegerField(_("attempt"), default=0, editable=False)
    # When the build started or last wrote a summary: see stalled.
    progressed_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = BulkExportQuerySet.as_manager()

    class Meta:
        verbose_name = _("bulk export")
        verbose_name_plural = _("bulk exports")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(municipality__isnull=False) | Q(consultant__isnull=False),
                name="bulk_export_has_a_selection",
                violation_error_message=_("Choose a municipality, a caseload or both."),
            ),
        ]

    def __str__(self):
        return f"{_('bulk export')} {self.pk}"

    def get_absolute_url(self):
        return reverse("trajectories:bulk_export", args=[self.pk])

    def delete(self, *args, **kwargs):
        # The ZIP holds the summaries: it goes with its export.
        self.file_path.unlink(missing_ok=True)
        self.remove_partial_files()
        return super().delete(*args, **kwargs)

    def remove_partial_files(self):
        """The half-written ZIPs of its attempts, one per attempt (`<pk>.<attempt>.part`)."""
        for partial in self.file_path.parent.glob(f"{self.pk}.*part"):
            partial.unlink(missing_ok=True)

    def residents(self):
        """The residents in the selection that the requester may see, in a fixed order;
        anonymised files hold nothing to summarise."""
        residents = Client.objects.visible_to(self.requested_by).filter(anonymised_on__isnull=True)
        if self.municipality_id:
            residents = residents.filter(municipality=self.municipality_id)
        if self.consultant_id:
            residents = residents.filter(consultant=self.consultant_id)
        return residents.order_by("pk")

    @property
    def file_path(self):
        return settings.PRIVATE_FILES_ROOT / "exports" / f"{self.pk}.zip"

    @property
    def filename(self):
        return f"samenvattingen-{self.pk}.zip"

    @property
    def in_progress(self):
        """Queued or running, and not stalled: the page follows it."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING) and not self.stalled

    @property
    def stalled(self):
        """Running, but without a summary written for far longer than one takes (a second or
        two): its worker was stopped or died with its machine, and the export will not end."""
        since = self.progressed_at or self.requested_at
        return self.status == self.Status.RUNNING and timezone.now() - since > STALLED_AFTER

    @property
    def may_retry(self):
        return self.status == self.Status.FAILED or self.stalled

    @property
    def kept_until(self):
        if self.finished_at:
            return self.finished_at + timedelta(days=settings.BULK_EXPORT_KEEP_DAYS)
        return None

    @property
    def percent_done(self):
        return 100 * self.done // self.total if self.total else 0


@receiver([post_save, post_delete], sender=Agreement)
def refresh_cases_under_agreement(sender, instance, **kwargs):
    """An agreement's response time says when a provider's answer to a proposal is due, which
    each case stores: the cases with a proposal to the provider's provisions are derived
    anew. (The partners app, below this one, cannot do it itself.)"""
    proposed = Placement.objects.filter(
        status=Placement.Status.PROPOSED, provision__provider=instance.organisation_id
    )
    with transaction.atomic():
        Case.objects.refresh(*proposed.values_list("client", flat=True).distinct())
