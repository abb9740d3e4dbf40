from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    """The four roles; each is an auth Group of the same name holding its permissions."""

    CONSULTANT = "consultant", _("Consultant")
    SOCIAL_TEAM = "social_team", _("Social-team member")
    MANAGER = "manager", _("Manager")
    ADMINISTRATOR = "administrator", _("Administrator")


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
