from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Q

from clients.bsn import passes_eleven_test
from clients.models import Client
from partners.models import Municipality, Organisation, Role, User
from provisions.models import ChainStep, Provision
from trajectories.models import (
    Case,
    CaseNote,
    Placement,
    Reevaluation,
    Stage,
    Transition,
    stage_counts,
)

SMALL = 60


@pytest.fixture
def seeded(db):
    call_command("seed_demo", residents=SMALL, stdout=StringIO())


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Municipality, Organisation, Provision, User, Client, Placement)
    }


def test_seed_demo_creates_the_four_municipalities(seeded):
    assert set(Municipality.objects.values_list("name", flat=True)) == {
        "Woerden",
        "Oudewater",
        "Montfoort",
        "Bodegraven-Reeuwijk",
    }


def test_seed_demo_creates_the_partners_named_in_the_memo(seeded):
    names = set(Organisation.objects.values_list("name", flat=True))
    assert {"Ferm Werk", "Reinaerde", "Abrona", "Sociaal team Woerden", "Doe Mee huis"} <= names


def test_provisions_cover_every_chain_step_and_three_regimes(seeded):
    assert Provision.objects.count() >= 15
    assert set(Provision.objects.values_list("chain_step", flat=True)) == set(
        ChainStep.objects.values_list("pk", flat=True)
    )
    assert len(set(Provision.objects.values_list("funding_regime", flat=True))) >= 3
    beschut = Provision.objects.get(name="Beschut werk Ferm Werk productie")
    assert beschut.cost_per_place_per_year_eur == 20000
    assert "Cedris" in beschut.cost_source


@pytest.mark.parametrize(
    ("username", "role"),
    [
        ("consultant", Role.CONSULTANT),
        ("socialteam", Role.SOCIAL_TEAM),
        ("manager", Role.MANAGER),
        ("admin", Role.ADMINISTRATOR),
        ("aanbieder", Role.PROVIDER),
    ],
)
def test_one_demo_user_per_role_logs_in_with_the_demo_password(seeded, username, role):
    user = User.objects.get(username=username)
    assert user.role == role
    assert user.check_password("fermwerk-demo")
    assert user.organisation is not None


def test_the_demo_provider_works_at_reinaerde_and_sees_its_placements(seeded):
    user = User.objects.get(username="aanbieder")
    assert user.organisation.name == "Reinaerde"
    assert Placement.objects.for_provider(user).exists()


def test_residents_stand_at_every_stage_of_the_cycle(seeded):
    stages = dict(stage_counts(Case.objects.tally()))
    assert all(stages[stage] > 0 for stage in Stage), stages


def test_every_demo_bsn_passes_the_eleven_test(seeded):
    assert all(passes_eleven_test(bsn) for bsn in Client.objects.values_list("bsn", flat=True))


def test_the_demo_consultant_has_a_caseload(seeded):
    assert Client.objects.filter(consultant__username="consultant").count() == SMALL // 5


def test_demo_placements_never_overfill_a_provision(seeded):
    for provision in Provision.objects.with_occupancy():
        assert provision.occupied_places <= provision.capacity_places


def test_seeding_again_changes_nothing(seeded):
    before = counts()
    call_command("seed_demo", residents=SMALL, stdout=StringIO())
    assert counts() == before


def test_residents_tops_up_to_the_number_asked(seeded):
    call_command("seed_demo", residents=SMALL + 25, stdout=StringIO())
    assert Client.objects.count() == SMALL + 25
    assert Client.objects.values("bsn").distinct().count() == SMALL + 25


def test_seeded_residents_have_their_history_and_search_name(seeded):
    resident = Client.objects.order_by("pk").first()
    assert resident.history.count() == 1
    assert resident.search_name == resident.full_name.lower()
    assert Client.objects.search(resident.last_name).filter(pk=resident.pk).exists()


def test_no_demo_record_lies_in_the_future(seeded):
    today = date.today()
    assert not Placement.objects.filter(
        Q(proposed_on__gt=today) | Q(start_on__gt=today) | Q(end_on__gt=today)
    ).exists()
    assert not Reevaluation.objects.filter(held_on__gt=today).exists()
    assert not CaseNote.objects.filter(happened_on__gt=today).exists()
    assert not Transition.objects.filter(moved_on__gt=today).exists()


def test_some_demo_residents_need_attention_but_most_do_not(seeded):
    attention = Case.objects.needing_attention().count()
    assert 0 < attention < Client.objects.count() // 4


def stored_state():
    from trajectories.models import BlockerCount, CaseCount, FlowCount, MoveCount

    return (
        list(Case.objects.order_by("pk").values()),
        list(Provision.objects.order_by("pk").values("occupied_places", "waiting_count")),
        CaseCount.objects.tally(),
        FlowCount.objects.tally(),
        MoveCount.objects.tally(),
        BlockerCount.objects.tally(),
    )


def test_the_demo_state_equals_what_a_rebuild_derives(seeded):
    before = stored_state()
    call_command("rebuild_cases", stdout=StringIO())
    assert stored_state() == before


def test_the_demo_records_keep_the_rules_of_the_cycle(seeded):
    """Bulk inserts skip the model methods; every record still passes the models' rules, so
    the model methods could have written it."""
    from trajectories.models import Action, Diagnosis, Intake

    for model in (Intake, Diagnosis, Placement, Reevaluation, Action, CaseNote):
        for record in model.objects.all():
            record.full_clean()
