"""The BSN (burgerservicenummer) and its eleven test (11-proef)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def normalise_bsn(value):
    """Strip the spaces, dots and dashes people type; pad an 8-digit BSN with its leading zero."""
    digits = "".join(ch for ch in str(value) if ch not in " .-")
    return digits.zfill(9) if len(digits) == 8 and digits.isdigit() else digits


def full_bsn(query):
    """The BSN a search is for when it names a whole one (9 digits, typed with or without
    spaces, dots or dashes, or 8 without the leading zero), else an empty string."""
    bsn = normalise_bsn(query.strip())
    return bsn if len(bsn) == 9 and bsn.isascii() and bsn.isdigit() else ""


def passes_eleven_test(bsn):
    if len(bsn) != 9 or not bsn.isascii() or not bsn.isdigit() or bsn == "0" * 9:
        return False
    return sum(int(d) * w for d, w in zip(bsn, WEIGHTS, strict=True)) % 11 == 0


def validate_bsn(value):
    bsn = normalise_bsn(value)
    if len(bsn) != 9 or not bsn.isascii() or not bsn.isdigit():
        raise ValidationError(_("A BSN has 9 digits."), code="bsn_format")
    if not passes_eleven_test(bsn):
        raise ValidationError(
            _("This is not a valid BSN: it fails the eleven test. Check for a typo."),
            code="bsn_checksum",
        )


def mask_bsn(bsn):
    """Show only the last three digits, for roles that do not need the full number."""
    return f"******{bsn[-3:]}" if bsn else ""
