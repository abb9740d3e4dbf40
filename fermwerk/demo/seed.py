"""Load the demo region: `seed()` behind `manage.py seed_demo`."""

from django.db import transaction

from .region import ensure_municipalities, ensure_organisations, ensure_provisions, ensure_users
from .residents import add_residents
from .sharing import ensure_social_teams


def seed(residents=200, log=print):
    """Create or complete the demo region and top the residents up to `residents`."""
    with transaction.atomic():
        municipalities = ensure_municipalities()
        organisations = ensure_organisations(municipalities)
        provisions = ensure_provisions(organisations, municipalities)
        consultants = ensure_users(organisations)
    add_residents(residents, list(municipalities.values()), consultants, provisions, log)
    with transaction.atomic():
        ensure_social_teams(organisations)
