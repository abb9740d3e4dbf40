"""The resident's record: identity, BSN, search, and who may see whom. The cycle lives in
trajectories/, above this app; nothing here knows of it."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partners.models import Municipality

from .bsn import mask_bsn, normalise_bsn, validate_bsn

# A search reads at most this many words; the form says so before a query gets that far.
MAX_SEARCH_WORDS = 5


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
        # Social teams will see only cases shared with them under consent (sharing comes later).
        return self.none()

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
        for word in query.lower().split()[:MAX_SEARCH_WORDS]:
            self = self.filter(search_name__contains=word)
        return self


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
    # Lower-case full name, kept by save(); PostgreSQL searches it through a trigram index.
    search_name = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["search_name"])

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
        # A resident's page is their case page, which the cycle's app serves.
        return reverse("trajectories:case", args=[self.pk])

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
    def masked_bsn(self):
        return mask_bsn(self.bsn)

    def compose_search_name(self):
        return self.full_name.lower()

    def age_on(self, day):
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - before_birthday
