"""The resident's record: identity, BSN, search, and who may see whom. The cycle lives in
trajectories/, above this app; nothing here knows of it."""

from datetime import date, timedelta

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partners.models import Municipality, OrganisationKind, Role

from .bsn import full_bsn, mask_bsn, normalise_bsn, validate_bsn

# A search reads at most this many words; the form says so before a query gets that far.
MAX_SEARCH_WORDS = 5
# The shortest word the trigram index on the names can look up.
TRIGRAM = 3
# How lists order residents: by last name, then first name.
NAME_ORDER = ["last_name", "first_name"]

# What anonymisation leaves in place of a text. Stored data, not a label: it stays Dutch.
REMOVED = "[geanonimiseerd]"


class ClientQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The residents a user may see. Every view, export and PDF starts here."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.has_perm("clients.view_all_clients"):
            return self
        if user.has_perm("clients.view_client"):
            # Werkbedrijf staff see the residents of the municipalities their organisation serves.
            return self.filter(municipality__in=self.municipalities_visible_to(user))
        # Everyone else (social teams) sees the cases shared with their organisation.
        return self.shared_with(user)

    def shared_with(self, user):
        """The residents whose case is shared with the user's organisation, now. None for a
        provider's staff: they see the placements in their own provisions, through the
        provider pages, and no resident's case (not even one shared with their employer)."""
        return self.filter(pk__in=Share.objects.active().with_user(user).values("client"))

    def municipalities_visible_to(self, user):
        """The municipalities whose residents the user may see (the same rule as visible_to):
        for counts kept per municipality."""
        if not user.is_authenticated or not user.is_active:
            return Municipality.objects.none()
        if user.is_superuser or user.has_perm("clients.view_all_clients"):
            return Municipality.objects.all()
        if user.has_perm("clients.view_client"):
            return Municipality.objects.filter(organisations__memberships__user=user).distinct()
        return Municipality.objects.none()

    def annotatable_by(self, user):
        """The residents to whose case the user may add a note or case conference: their own
        work, or a case shared with their organisation."""
        return self.editable_by(user) | self.shared_with(user)

    def editable_by(self, user):
        """The residents whose case the user may work on: visible, and the role edits cases.
        An anonymised file is kept for the figures only: nobody works on it any more."""
        if not user.has_perm("clients.change_client"):
            return self.none()
        return self.visible_to(user).filter(anonymised_on__isnull=True)

    def past_retention(self, today=None):
        """The files closed longer ago than the retention period, not yet anonymised."""
        today = today or date.today()
        return self.filter(
            closed_on__lt=years_before(today, settings.RETENTION_YEARS), anonymised_on__isnull=True
        )

    def search(self, query):
        """Find residents by BSN, date of birth (dd-mm-jjjj) or part of the name, using an index."""
        query = " ".join(query.split())
        if not query:
            return self
        birth_date = parse_dutch_date(query)
        if birth_date:
            return self.filter(date_of_birth=birth_date)
        bsn = full_bsn(query)
        if bsn:
            return self.filter(bsn=bsn)
        words = query.lower().split()[:MAX_SEARCH_WORDS]
        for word in words:
            self = self.filter(search_name__contains=word)
        if any(len(word) >= TRIGRAM for word in words):
            # The lists' name order, in a form no index serves: PostgreSQL then reads the
            # matches through the trigram index and sorts them. Guessing many matches, it would
            # rather walk the name index until a page is full, and pass everyone filed before
            # the name: the matches of a last name lie together (1.4 s at a million).
            self = self.order_by(*(Concat(name, Value("")) for name in NAME_ORDER), "pk")
        return self


def years_before(day, years):
    """The same day `years` earlier; 29 February becomes the 28th in a year without it."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


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


class StaleRecord(ValidationError):
    """A save based on a version of a record that someone else has changed since; `stored`
    is the record as it is now, to show the user what changed."""

    def __init__(self, stored, message=None):
        self.stored = stored
        super().__init__(
            message
            or _(
                "Someone else changed these details while you were editing them. What you "
                "typed is still in the form; check the current details below and save again."
            ),
            code="stale",
        )


class Client(models.Model):
    """A resident (inwoner) supported by the werkbedrijf."""

    class ClosedReason(models.TextChoices):
        PAID_WORK = "paid_work", _("Found paid work")
        MOVED_AWAY = "moved_away", _("Moved out of the region")
        NO_LONGER_NEEDED = "no_longer_needed", _("Support no longer needed")
        DECEASED = "deceased", _("Deceased")
        OTHER = "other", _("Other reason")

    first_name = models.CharField(_("first name"), max_length=100)
    name_prefix = models.CharField(
        _("prefix"), max_length=20, blank=True, help_text=_("e.g. van, de, van der")
    )
    last_name = models.CharField(_("last name"), max_length=100)
    # NULL once anonymised, not "": the column is unique and anonymised residents hold none.
    bsn = models.CharField(  # noqa: DJ001
        _("BSN"),
        max_length=9,
        unique=True,
        null=True,
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
    # Closing the file (on the resident's record: the retention period is the file's, whatever
    # the cycle holds) starts the retention period; reopening it clears both.
    closed_on = models.DateField(_("file closed on"), null=True, blank=True)
    closed_reason = models.CharField(
        _("reason for closing"), max_length=20, choices=ClosedReason.choices, blank=True
    )
    anonymised_on = models.DateField(_("anonymised on"), null=True, blank=True, editable=False)
    # Lower-case full name, kept by save(); PostgreSQL searches it through a trigram index.
    search_name = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    # Raised by every save; a form's save based on an older version is refused (save_checked).
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["search_name", "version"])

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = [*NAME_ORDER, "pk"]
        permissions = [
            ("view_all_clients", _("Can see every client in the region")),
            ("view_bsn", _("Can see the full BSN")),
            ("view_reports", _("Can read management reports")),
            ("anonymise_client", _("Can anonymise files past their retention period")),
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="client_name_order"),
            models.Index(
                fields=["consultant", "last_name", "first_name", "id"],
                name="client_caseload_order",
            ),
            models.Index(
                fields=["closed_on"],
                condition=Q(closed_on__isnull=False, anonymised_on__isnull=True),
                name="client_closed_not_anonymised",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(bsn__isnull=True) | Q(bsn__regex=r"^[0-9]{9}$"),
                name="client_bsn_nine_digits",
            ),
            models.CheckConstraint(
                condition=Q(bsn__isnull=False) | Q(anonymised_on__isnull=False),
                name="client_bsn_unless_anonymised",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, closed_reason="")
                | (Q(closed_on__isnull=False) & ~Q(closed_reason="")),
                name="client_closed_with_reason",
                violation_error_message=_("A closed file needs a date and a reason."),
            ),
            models.CheckConstraint(
                condition=Q(anonymised_on__isnull=True) | Q(closed_on__isnull=False),
                name="client_anonymised_when_closed",
            ),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        if self.bsn is not None:
            self.bsn = normalise_bsn(self.bsn)
        self.search_name = self.compose_search_name()
        if not self._state.adding:
            # Counted by the database, so two saves at once both count; read back on saving.
            self.version = F("version") + 1
        renamed = not self._state.adding and (
            kwargs.get("update_fields") is None
            or {"first_name", "last_name"} & set(kwargs["update_fields"])
        )
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name", "version"}
        super().save(*args, **kwargs)
        if renamed:
            self.shares.rename(self.last_name, self.first_name)

    def get_absolute_url(self):
        # A resident's page is their case page, which the cycle's app serves.
        return reverse("trajectories:case", args=[self.pk])

    def save_checked(self, expected_version):
        """Save changes made to the record as it was at `expected_version`. Refused with
        StaleRecord when someone else saved it since: their change would be lost unseen."""
        with transaction.atomic():
            # The row stays locked until the caller's transaction ends: a save at the same
            # moment waits here, then finds the version raised and is refused in turn.
            stored = Client.objects.select_for_update().get(pk=self.pk)
            if stored.version != expected_version:
                raise StaleRecord(stored)
            self.save()

    @property
    def full_name(self):
        if self.anonymised_on:
            return str(_("Anonymised resident"))
        return " ".join(
            part for part in (self.first_name, self.name_prefix, self.last_name) if part
        )

    @property
    def sort_name(self):
        """'Jansen, Piet van' as lists sort it."""
        if self.anonymised_on:
            return self.full_name
        given = " ".join(part for part in (self.first_name, self.name_prefix) if part)
        return f"{self.last_name}, {given}"

    @property
    def masked_bsn(self):
        return mask_bsn(self.bsn)

    def compose_search_name(self):
        # An anonymised resident is found by no name.
        return "" if self.anonymised_on else self.full_name.lower()

    def close(self, on, reason):
        """Close the resident's file: its retention period runs from this day."""
        if self.closed_on:
            raise ValidationError(_("This file is closed already."))
        if on > date.today():
            raise ValidationError({"closed_on": _("A file cannot be closed in the future.")})
        if reason not in self.ClosedReason.values:
            raise ValidationError({"closed_reason": _("Choose the reason for closing.")})
        self.closed_on, self.closed_reason = on, reason
        self.save(update_fields=["closed_on", "closed_reason"])

    def reopen(self):
        """Open a closed file again; a later closure starts a new retention period."""
        self.closed_on, self.closed_reason = None, ""
        self.save(update_fields=["closed_on", "closed_reason"])

    def anonymise_personal_details(self, today=None):
        """Replace everything that identifies the resident. What the anonymous figures count
        by stays: the municipality, and the year of birth (as 1 January) for age groups.
        Only trajectories.privacy.anonymise calls this, with the case records, in one
        transaction."""
        self.first_name = self.name_prefix = ""
        self.last_name = REMOVED
        self.bsn = None
        self.date_of_birth = date(self.date_of_birth.year, 1, 1)
        self.street_address = self.postal_code = self.city = self.phone = self.email = ""
        # Out of every caseload: nobody works on an anonymised file.
        self.consultant = None
        self.anonymised_on = today or date.today()
        self.save()

    def age_on(self, day):
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - before_birthday


class Part(models.TextChoices):
    """The parts of a case that can be shared with another organisation."""

    SUMMARY = "summary", _("Summary: personal details, stage and own words")
    ASSESSMENT = "assessment", _("Assessment, scores and diagnosis")
    PLAN = "plan", _("Plan of action")
    PLACEMENTS = "placements", _("Placements")
    NOTES = "notes", _("Contacts, notes and case conferences")


ALL_PARTS = frozenset(Part.values)


def parts_visible_to(user, client):
    """The parts of the resident's case the user may see: all of them for werkbedrijf staff,
    the parts shared with their organisation for anyone else."""
    if user.is_superuser or user.has_perm("clients.view_client"):
        return ALL_PARTS
    parts = set()
    for shared in Share.objects.active().with_user(user).filter(client=client):
        parts.update(shared.parts)
    return frozenset(parts)


class LawfulBasis(models.TextChoices):
    CONSENT = "consent", _("The resident's consent")
    LEGAL_TASK = "legal_task", _("A legal task")


class ConsentForm(models.TextChoices):
    WRITTEN = "written", _("In writing (signed form)")
    DIGITAL = "digital", _("Digitally")
    VERBAL = "verbal", _("Verbally, recorded in the file")


class ShareQuerySet(models.QuerySet):
    def active(self, today=None):
        """Not withdrawn and not expired: a share ends by itself on its last day."""
        return self.filter(withdrawn_at__isnull=True, valid_until__gte=today or date.today())

    def with_user(self, user):
        """The shares with the user's organisation. None for a provider's staff: they see the
        placements in their own provisions through the provider pages, and no resident's
        case, not even one shared with the organisation they work for."""
        if getattr(user, "role", None) == Role.PROVIDER:
            return self.none()
        return self.filter(organisation__memberships__user=user)

    def listed_for(self, user):
        """The social team's list: the active shares with the user's organisation, in the
        order of the resident's name. Its organisations are looked up first: compared with a
        known organisation, the shares come in the order of the index share_name_order, and a
        page reads only its own rows, where the join of with_user alone sorts them all."""
        organisations = list(user.memberships.order_by().values_list("organisation", flat=True))
        return (
            self.active()
            .with_user(user)
            .filter(organisation__in=organisations)
            .order_by("client_last_name", "client_first_name", "pk")
        )

    def rename(self, last_name, first_name):
        """Bring the resident's name these shares keep in step with their record."""
        self.exclude(client_last_name=last_name, client_first_name=first_name).update(
            client_last_name=last_name, client_first_name=first_name
        )


class Share(models.Model):
    """A case shared with another organisation, on a recorded lawful basis and for a purpose."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="shares", verbose_name=_("client")
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="shares",
        verbose_name=_("shared with"),
    )
    basis = models.CharField(_("lawful basis"), max_length=20, choices=LawfulBasis.choices)
    consent_form = models.CharField(
        _("consent given"), max_length=20, choices=ConsentForm.choices, blank=True
    )
    consent_given_on = models.DateField(_("consent given on"), null=True, blank=True)
    legal_article = models.CharField(
        _("article of law"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Participatiewet art. 7, Wmo 2015 art. 2.3.2"),
    )
    purpose = models.TextField(_("purpose"), max_length=1000)
    parts = models.JSONField(_("parts shared"), default=list)
    valid_until = models.DateField(_("until"))
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("shared by"),
    )
    shared_at = models.DateTimeField(_("shared at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    # The resident's name as lists sort it, kept by save() and Client.save: a social team's
    # thousands of shares read one page at a time in this order, through share_name_order.
    client_last_name = models.CharField(_("last name"), max_length=100, editable=False, default="")
    client_first_name = models.CharField(
        _("first name"), max_length=100, editable=False, default=""
    )
    history = HistoricalRecords(excluded_fields=["client_last_name", "client_first_name"])

    objects = ShareQuerySet.as_manager()

    # A share runs at most this long; the consultant renews it with the resident.
    LONGEST = timedelta(days=2 * 366)

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        ordering = ["-shared_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "valid_until"], name="share_org_until"),
            # The social team's list (ShareQuerySet.listed_for); the end date last, so that
            # the shares run out are passed over in the index alone.
            models.Index(
                fields=[
                    "organisation",
                    "client_last_name",
                    "client_first_name",
                    "id",
                    "valid_until",
                ],
                condition=Q(withdrawn_at__isnull=True),
                name="share_name_order",
            ),
        ]

    def __str__(self):
        return f"{self.client} – {self.organisation}"

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is None:
            self.client_last_name = self.client.last_name
            self.client_first_name = self.client.first_name
        super().save(*args, **kwargs)

    @property
    def is_active(self):
        return self.withdrawn_at is None and self.valid_until >= date.today()

    def get_parts_display(self):
        labels = dict(Part.choices)
        return [labels[part] for part in Part.values if part in self.parts]

    def clean(self):
        errors = {}
        today = date.today()
        if self.basis == LawfulBasis.CONSENT:
            if not self.consent_form:
                errors["consent_form"] = _("Say how the resident gave consent.")
            if not self.consent_given_on:
                errors["consent_given_on"] = _("Say when the resident gave consent.")
            elif self.consent_given_on > today:
                errors["consent_given_on"] = _("Consent cannot be given in the future.")
        elif self.basis == LawfulBasis.LEGAL_TASK and not self.legal_article.strip():
            errors["legal_article"] = _("Name the article of law that makes this a legal task.")
        if not self.parts or not set(self.parts) <= ALL_PARTS:
            errors["parts"] = _("Choose the parts of the case to share.")
        if self.valid_until and self.valid_until < today:
            errors["valid_until"] = _("A share cannot end in the past.")
        elif self.valid_until and self.valid_until > today + self.LONGEST:
            errors["valid_until"] = _("A share runs at most two years; renew it after that.")
        if self.organisation_id and self.organisation.kind == OrganisationKind.WORK_COMPANY:
            errors["organisation"] = _("The werkbedrijf sees its cases already.")
        if errors:
            raise ValidationError(errors)

    def withdraw(self, user):
        self.withdrawn_at = timezone.now()
        self.withdrawn_by = user
        self.save(update_fields=["withdrawn_at", "withdrawn_by"])


class AccessLogQuerySet(models.QuerySet):
    def record(self, user, action, clients=(), detail="", reason=""):
        """Log that the user saw these residents (or, without any, did this); one row each."""
        base = {
            "user": user,
            "username": user.get_username(),
            "role": user.role or "",
            "organisation": str(user.organisation or ""),
            "action": action,
            "detail": detail[:500],
            "reason": reason,
        }
        rows = [AccessLog(client=client, **base) for client in clients] or [AccessLog(**base)]
        return self.bulk_create(rows)

    def bsn_searches_since(self, user, since):
        return self.filter(user=user, action=AccessLog.Action.BSN_SEARCH, at__gte=since)


class AccessLog(models.Model):
    """Who saw which resident's data, when, in which role and why (in the spirit of NEN 7513).
    Append-only: PostgreSQL refuses to change or delete a row."""

    class Action(models.TextChoices):
        VIEW_CASE = "view_case", _("Opened the case")
        VIEW_TIMELINE = "view_timeline", _("Viewed the timeline")
        VIEW_HISTORY = "view_history", _("Viewed the change history")
        VIEW_DETAILS = "view_details", _("Opened the personal details")
        VIEW_ADMIN = "view_admin", _("Opened in the administration")
        SEARCH = "search", _("Found in a search")
        BSN_SEARCH = "bsn_search", _("Searched for a full BSN")
        BREAK_GLASS = "break_glass", _("Opened outside own caseload")
        DUPLICATE_BSN = "duplicate_bsn", _("Told the BSN is on file")
        EXPORT_PDF = "export_pdf", _("Exported as PDF")
        EXPORT_JSON = "export_json", _("Exported as JSON")
        EXPORT_CSV = "export_csv", _("Exported as CSV")
        SUMMARY_PDF = "summary_pdf", _("Printed the case summary")
        BULK_EXPORT = "bulk_export", _("Case summary in a bulk export")
        ANONYMISE = "anonymise", _("Anonymised the file")
        COVENANT_DOCUMENT = "covenant_document", _("Downloaded a covenant document")
        PROVIDER_VIEW = "provider_view", _("Opened the placement as its provider")
        PROVIDER_REPORT = "provider_report", _("Answered or reported as the provider")

    at = models.DateTimeField(_("when"), default=timezone.now)
    # Plain references without constraints: the log outlives the users and residents it names.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150)
    role = models.CharField(_("role"), max_length=30, blank=True, choices=Role.choices)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    client = models.ForeignKey(
        Client,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("resident"),
    )
    action = models.CharField(_("what"), max_length=20, choices=Action.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["client", "-at"], name="accesslog_client_at"),
            models.Index(fields=["user", "action", "-at"], name="accesslog_user_at"),
            models.Index(fields=["-at"], name="accesslog_at"),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"
