"""Load the demo region: `seed()` behind `manage.py seed_demo`."""

from django.db import transaction

from .covenant import ensure_covenant
from .lines import ensure_line_partners
from .region import (
    ensure_capacities,
    ensure_municipalities,
    ensure_organisations,
    ensure_provisions,
    ensure_users,
)
from .residents import DEFAULT_SEED, add_residents
from .sharing import ensure_social_teams, share_first_residents


def seed(residents=200, seed=DEFAULT_SEED, log=print):
    """Create or complete the demo region and top the residents up to `residents`, each
    generated from `seed` and their number."""
    with transaction.atomic():
        municipalities = ensure_municipalities()
        organisations = ensure_organisations(municipalities)
        provisions = ensure_provisions(organisations, municipalities)
        ensure_capacities(provisions, residents)
        ensure_line_partners(organisations)
        consultants = ensure_users(organisations)
        ensure_covenant(organisations)
        ensure_social_teams(organisations)
    add_residents(residents, seed, list(municipalities.values()), consultants, provisions, log)
    with transaction.atomic():
        share_first_residents(organisations)
