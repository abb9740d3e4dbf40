import os
import uuid
import zipfile
from datetime import date
from functools import partial
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    """The roles; each is an auth Group of the same name holding its permissions."""

    CONSULTANT = "consultant", _("Consultant")
    SOCIAL_TEAM = "social_team", _("Social-team member")
    MANAGER = "manager", _("Manager")
    ADMINISTRATOR = "administrator", _("Administrator")
    # Staff of a provider (a care provider, an employer): they answer proposals for their own
    # provisions and report on the placements there; they see no resident's case.
    PROVIDER = "provider", _("Provider staff member")


class UserHistory(HistoricalRecords):
    """A user's history without the fields it leaves out, and without the saves that change only
    those: every login saves last_login, and a password hash is upgraded now and then."""

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields and set(update_fields) <= set(self.excluded_fields):
            return
        super().post_save(instance, created, using=using, **kwargs)


class User(AbstractUser):
    """A member of staff of Ferm Werk or a chain partner."""

    # Who changed a user, their role (groups) or permissions, and when; never a password hash.
    history = UserHistory(
        excluded_fields=["password", "last_login"], m2m_fields=["groups", "user_permissions"]
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @cached_property
    def role(self):
        """The user's role, read from their groups (the first match in the order of Role)."""
        names = {group.name for group in self.groups.all()}
        return next((role for role in Role if role.value in names), None)

    @cached_property
    def organisation(self):
        membership = self.memberships.select_related("organisation").first()
        return membership.organisation if membership else None

    @property
    def requires_two_factor(self):
        """Managers and administrators see every resident (superusers everything): they log in
        with a code from an authenticator app as well as their password."""
        return self.is_superuser or self.role in (Role.MANAGER, Role.ADMINISTRATOR)

    def confirmed_totp_device(self):
        """The authenticator app the user set up (a TOTP device), or None."""
        return TOTPDevice.objects.filter(user=self, confirmed=True).order_by("pk").first()

    def unconfirmed_totp_device(self):
        """The authenticator app being set up; unconfirmed until the user enters its first code.

        The same one on every visit, so reloading the page does not change the secret the user
        may already have scanned."""
        device = TOTPDevice.objects.filter(user=self, confirmed=False).order_by("pk").first()
        return device or TOTPDevice.objects.create(
            user=self, name=_("Authenticator app"), confirmed=False
        )


class Municipality(models.Model):
    """One of the municipalities the werkbedrijf works for."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    cbs_code = models.CharField(
        _("CBS code"), max_length=6, unique=True, help_text=_("e.g. GM0632")
    )

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self):
        return self.name


class OrganisationKind(models.TextChoices):
    WORK_COMPANY = "werkbedrijf", _("Work company (werkbedrijf)")
    CARE_PROVIDER = "zorgaanbieder", _("Care provider")
    SOCIAL_TEAM = "sociaal_team", _("Social team")
    WELFARE = "welzijn", _("Welfare work")
    VOLUNTEER_ORGANISATION = "vrijwilligersorganisatie", _("Volunteer organisation")
    EMPLOYER = "werkgever", _("Employer")
    EDUCATION = "onderwijs", _("Education")
    INSURER = "zorgverzekeraar", _("Health insurer / care office")


class OrganisationQuerySet(models.QuerySet):
    def with_counts(self):
        return self.annotate(
            provision_count=models.Count("provisions", distinct=True),
            member_count=models.Count("memberships", distinct=True),
        )


class Organisation(models.Model):
    """A chain partner (ketenpartner), or Ferm Werk itself."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    municipalities = models.ManyToManyField(
        Municipality,
        related_name="organisations",
        verbose_name=_("municipalities served"),
        blank=True,
    )
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    history = HistoricalRecords(m2m_fields=[municipalities])

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partners:detail", args=[self.pk])


class Membership(models.Model):
    """Links a user to the organisation they work for; access to cases follows from it."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        ordering = ["organisation__name", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership"),
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation}"


class Contact(models.Model):
    """A contact person at an organisation, for questions about its part of the chain."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    function = models.CharField(_("function"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["organisation__name", "name"]

    def __str__(self):
        return f"{self.name}, {self.function}" if self.function else self.name


class ProcessStep(models.TextChoices):
    """The steps of the client process a chain partner can take on under the covenant."""

    INTAKE = "intake", _("Intake")
    DIAGNOSIS = "diagnosis", _("Diagnosis")
    PLAN = "plan", _("Plan of action")
    PLACEMENT = "placement", _("Placement")
    GUIDANCE = "guidance", _("Guidance")
    REEVALUATION = "reevaluation", _("Re-evaluation")


class AgreementQuerySet(models.QuerySet):
    def in_force_on(self, day):
        """The agreements that hold on this day (a date, or an expression such as OuterRef)."""
        return self.filter(valid_from__lte=day).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=day)
        )


class Agreement(models.Model):
    """What one chain partner agreed in the covenant (convenant): the process steps it owns,
    how soon it answers a placement proposal, and whom to call. An organisation has at most
    one agreement in force on any day; a new one follows the old."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="agreements",
        verbose_name=_("organisation"),
    )
    steps = models.JSONField(_("process steps owned"), default=list, blank=True)
    response_days = models.PositiveSmallIntegerField(
        _("response time (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Calendar days within which the organisation answers a placement proposal. "
            "Empty when it receives no proposals."
        ),
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("contact person"),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    history = HistoricalRecords()

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("covenant agreement")
        verbose_name_plural = _("covenant agreements")
        ordering = ["organisation__name", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="agreement_ends_after_start",
                violation_error_message=_("An agreement cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(response_days__isnull=True) | models.Q(response_days__gte=1),
                name="agreement_response_days_positive",
                violation_error_message=_("The response time is at least one day."),
            ),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.valid_from:%d-%m-%Y})"

    def clean(self):
        errors = {}
        if not set(self.steps) <= set(ProcessStep.values):
            errors["steps"] = _("Choose process steps from the list.")
        if (
            self.contact_id
            and self.organisation_id
            and (self.contact.organisation_id != self.organisation_id)
        ):
            errors["contact"] = _("Choose a contact person of this organisation.")
        if self.organisation_id and self.valid_from and not errors:
            others = Agreement.objects.filter(organisation=self.organisation_id).exclude(pk=self.pk)
            overlapping = others.filter(
                models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=self.valid_from)
            )
            if self.valid_until:
                overlapping = overlapping.filter(valid_from__lte=self.valid_until)
            if overlapping.exists():
                errors["valid_from"] = _(
                    "Another agreement of this organisation holds in this period; end it first."
                )
        if errors:
            raise ValidationError(errors)

    def get_steps_display(self):
        """The owned steps' names, in the order of the client process."""
        return [label for value, label in ProcessStep.choices if value in self.steps]

    def is_in_force(self, today=None):
        today = today or date.today()
        return self.valid_from <= today and (self.valid_until is None or self.valid_until >= today)


class PrivateFileStorage(FileSystemStorage):
    """Files under PRIVATE_FILES_ROOT, outside the web root: read from the setting on every
    use, so a test (or a deployment) can move it. They have no URL; views serve them."""

    @property
    def base_location(self):
        return settings.PRIVATE_FILES_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files are served by a view that checks who asks.")


private_files = PrivateFileStorage()


def private_file_storage():
    return private_files


def document_path(document, filename):
    """A random name under convenant/: the uploader's file name is kept apart, never in a path."""
    return f"convenant/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


# The kinds of process description accepted, by file name extension: (MIME type, label).
DOCUMENT_TYPES = {
    ".pdf": ("application/pdf", "PDF"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word (DOCX)",
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", "OpenDocument (ODT)"),
}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def document_kind(file):
    """The extension matching what the file's content is (PDF, DOCX or ODT), or None."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return ".pdf"
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if names and names[0] == "mimetype":
                # Read no further than the type's name (and a line end): a zip can unpack to
                # far more than its size.
                expected = DOCUMENT_TYPES[".odt"][0]
                with archive.open("mimetype") as member:
                    mimetype = member.read(len(expected) + 2).decode("ascii", "replace").strip()
                if mimetype == expected:
                    return ".odt"
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return ".docx"
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    finally:
        file.seek(0)
    return None


def validate_document(file):
    """A PDF, DOCX or ODT file of at most 10 MB whose content is what its name says."""
    if file.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("This file is %(size)s; a document may be at most %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(MAX_DOCUMENT_BYTES)},
        )
    extension = Path(file.name).suffix.lower()
    if extension not in DOCUMENT_TYPES:
        raise ValidationError(_("Upload a PDF, DOCX or ODT file."), code="extension")
    if document_kind(file) != extension:
        raise ValidationError(
            _("This file is not a real %(type)s file. Upload a PDF, DOCX or ODT file."),
            code="content",
            params={"type": DOCUMENT_TYPES[extension][1]},
        )


class ProcessDocument(models.Model):
    """A process description belonging to a covenant agreement, uploaded as a document and
    kept outside the web root; served only to logged-in staff, and every download logged."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("covenant agreement"),
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"),
        storage=private_file_storage,
        upload_to=document_path,
        max_length=200,
        validators=[validate_document],
        help_text=_("A PDF, DOCX or ODT file of at most 10 MB."),
    )
    filename = models.CharField(_("file name"), max_length=200, editable=False)
    content_type = models.CharField(_("file type"), max_length=100, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), editable=False)
    uploaded_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("process description")
        verbose_name_plural = _("process descriptions")
        ordering = ["agreement", "title", "pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The file's facts as uploaded, before storage renames it.
        if self.file and not self.filename:
            self.filename = Path(self.file.name).name
            self.content_type = DOCUMENT_TYPES[Path(self.file.name).suffix.lower()][0]
            self.size = self.file.size
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # The download view logs access; it lives in the site app, above the access log.
        return reverse("covenant_document", args=[self.pk])


@receiver(post_delete, sender=ProcessDocument)
def delete_document_file(sender, instance, using, **kwargs):
    """Deletes a document's file once its deletion commits; a deletion rolled back keeps it.

    A signal rather than delete(): deleting in bulk, or an agreement or organisation with its
    documents, never calls a document's delete() but does send post_delete."""
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(partial(storage.delete, name), using=using)
