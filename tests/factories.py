"""Small builders for test data; each fills in what a test does not care about."""

import itertools
from base64 import b32encode
from datetime import date, timedelta

from django.contrib.auth.models import Group
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from clients.bsn import passes_eleven_test
from clients.models import Client
from partners.models import Membership, Municipality, Organisation, OrganisationKind, User
from provisions.models import ChainStep, FundingRegime, Provision
from trajectories.models import (
    Assessment,
    Case,
    Category,
    Diagnosis,
    Intake,
    LadderRung,
    Placement,
    PlanOfAction,
    add_months,
)

_numbers = itertools.count(1)
_bsn_candidates = itertools.count(900_000_000)


def next_bsn():
    """The next unused 9-digit number that passes the eleven test."""
    return next(str(n) for n in _bsn_candidates if passes_eleven_test(str(n)))


def make_municipality(name="Woerden", cbs_code="GM0632"):
    return Municipality.objects.get_or_create(name=name, defaults={"cbs_code": cbs_code})[0]


def make_organisation(name=None, kind=OrganisationKind.WORK_COMPANY, municipalities=()):
    organisation = Organisation.objects.create(
        name=name or f"Organisatie {next(_numbers)}", kind=kind
    )
    organisation.municipalities.set(municipalities)
    return organisation


def make_user(role=None, organisation=None, username=None, **fields):
    number = next(_numbers)
    user = User.objects.create_user(
        username=username or f"user{number}",
        password="secret-test-password",
        first_name=fields.pop("first_name", "Test"),
        last_name=fields.pop("last_name", f"Gebruiker {number}"),
        **fields,
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    if organisation:
        Membership.objects.create(user=user, organisation=organisation)
    return user


def make_totp_device(user, confirmed=True):
    """An authenticator app for the user, as if they had set it up."""
    return TOTPDevice.objects.create(user=user, name="Telefoon", confirmed=confirmed)


def secret_of(device):
    """The key as the setup page shows it for typing into an app (base32)."""
    return b32encode(device.bin_key).decode()


def totp_code(device):
    """The code the device's authenticator app shows now, computed from its key.

    django-otp accepts each time step's code once and allows one step of clock drift: when this
    step's code was used already, it is the next step's."""
    device.refresh_from_db()
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    step = max(now, device.last_t + 1)
    return f"{hotp(device.bin_key, step, device.digits):0{device.digits}d}"


def make_client(municipality=None, consultant=None, **fields):
    number = next(_numbers)
    values = {
        "first_name": "Test",
        "last_name": f"Inwoner{number}",
        "bsn": next_bsn(),
        "date_of_birth": date(1980, 1, 1),
        "municipality": municipality or make_municipality(),
        "consultant": consultant,
    }
    values.update(fields)
    client = Client.objects.create(**values)
    # Registering a resident opens their case (the register view does the same).
    Case.objects.refresh(client.pk)
    return client


def make_provision(provider=None, chain_step=1, **fields):
    number = next(_numbers)
    values = {
        "name": f"Voorziening {number}",
        "chain_step": ChainStep.objects.get(position=chain_step),
        "participation": "societal",
        "funding_regime": FundingRegime.WMO,
        "provider": provider or make_organisation(kind=OrganisationKind.CARE_PROVIDER),
        "capacity_places": 10,
    }
    values.update(fields)
    return Provision.objects.create(**values)


def make_plan_ready(client, on=date(2026, 1, 5)):
    """Give a resident an intake, assessment, diagnosis and plan: ready for a placement."""
    intake = Intake.objects.create(client=client, held_on=on, what_matters="Mijn kinderen")
    Assessment.objects.create(
        client=client,
        intake=intake,
        assessed_on=on,
        current_rung=LadderRung.objects.get(number=2),
        attainable_rung=LadderRung.objects.get(number=4),
    )
    Diagnosis.objects.create(
        client=client,
        made_on=on,
        category=Category.objects.get(number=3),
        perspective="in_time",
        rationale="Problemen op meerdere leefgebieden.",
    )
    PlanOfAction.objects.create(client=client, drawn_up_on=on)


def make_full_cycle(client, provision=None, on=date(2026, 1, 5)):
    """Give a resident an intake, assessment, diagnosis, plan and an active placement."""
    make_plan_ready(client, on)
    return Placement.objects.create(
        client=client,
        provision=provision or make_provision(),
        status=Placement.Status.ACTIVE,
        proposed_on=on,
        accepted_on=on,
        start_on=on,
        reevaluation_due_on=add_months(on, 6),
    )


def stage_of(client):
    """The stage stored in the resident's case, read afresh."""
    return Case.objects.get(pk=client.pk).stage


def make_share(client, organisation, parts=("summary", "plan"), valid_until=None, **fields):
    """Share the resident's case with the organisation, with consent given a week ago."""
    from clients.models import ConsentForm, LawfulBasis, Share

    values = {
        "basis": LawfulBasis.CONSENT,
        "consent_form": ConsentForm.WRITTEN,
        "consent_given_on": date.today() - timedelta(days=7),
        "purpose": "Afstemmen van ondersteuning thuis en werk.",
        "parts": list(parts),
        "valid_until": valid_until or date.today() + timedelta(days=90),
    }
    values.update(fields)
    return Share.objects.create(client=client, organisation=organisation, **values)


def give_reason(test_client, resident, reason="Vervanging van een collega tijdens verlof."):
    """Break the glass for a file outside the user's caseload, as the reason page does."""
    from django.urls import reverse

    return test_client.post(
        reverse("trajectories:open_with_reason", args=[resident.pk]), {"reason": reason}
    )
