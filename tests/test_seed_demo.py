import hashlib
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from clients.bsn import passes_eleven_test
from clients.models import AccessLog, Client, LawfulBasis, Share
from fermwerk.demo import residents
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
from trajectories.timeline import EventKind, case_timeline

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


def test_every_seeded_case_keeps_its_residents_name_for_the_caseload(seeded):
    assert Case.objects.count() == Client.objects.count()
    renamed = Case.objects.exclude(
        last_name=F("client__last_name"), first_name=F("client__first_name")
    )
    assert not renamed.exists()


def test_the_demo_records_keep_the_rules_of_the_cycle(seeded):
    """Bulk inserts skip the model methods; every record still passes the models' rules, so
    the model methods could have written it."""
    from trajectories.models import Action, Diagnosis, Intake

    for model in (Intake, Diagnosis, Placement, Reevaluation, Action, CaseNote):
        for record in model.objects.all():
            record.full_clean()


def stored_counts():
    return stored_state(), list(
        Provision.objects.order_by("pk").values_list("median_waiting_since", flat=True)
    )


def test_the_demo_state_equals_what_a_rebuild_derives_after_a_top_up(seeded):
    call_command("seed_demo", residents=SMALL + 25, stdout=StringIO())
    before = stored_counts()
    call_command("rebuild_cases", stdout=StringIO())
    assert stored_counts() == before


def region_digest():
    """The residents and placements as the seed made them, without numbers or moments."""
    residents = Client.objects.order_by("bsn").values_list(
        "bsn",
        "first_name",
        "name_prefix",
        "last_name",
        "date_of_birth",
        "municipality__name",
        "consultant__username",
        "closed_on",
        "closed_reason",
    )
    placements = Placement.objects.order_by("client__bsn", "proposed_on", "status").values_list(
        "client__bsn",
        "provision__name",
        "status",
        "proposed_on",
        "accepted_on",
        "start_on",
        "end_on",
        "end_reason",
        "reevaluation_due_on",
    )
    return hashlib.sha256(repr((list(residents), list(placements))).encode()).hexdigest()


def seeded_digest(seed):
    with transaction.atomic():
        call_command("seed_demo", residents=SMALL, seed=seed, stdout=StringIO())
        digest = region_digest()
        transaction.set_rollback(True)
    return digest


def test_the_same_seed_gives_the_same_region_and_another_seed_another(db):
    first = seeded_digest(7)
    assert seeded_digest(7) == first
    assert seeded_digest(8) != first


LARGER = 600


@pytest.fixture
def larger_region(db):
    call_command("seed_demo", residents=LARGER, stdout=StringIO())


def test_about_one_in_twenty_residents_shares_their_case_with_the_social_team(larger_region):
    # Beside the demo's own shares with the first residents of each social team.
    generated = Share.objects.exclude(client__in=Client.objects.order_by("pk")[:SMALL])
    shared = generated.values("client").distinct().count()
    assert LARGER * 0.02 < shared < LARGER * 0.1
    assert set(generated.values_list("basis", flat=True)) == set(LawfulBasis.values)
    assert generated.filter(valid_until__lt=date.today()).exists()
    assert generated.filter(withdrawn_at__isnull=False).exists()
    assert generated.active().exists()


def test_every_seeded_share_keeps_its_residents_name_for_the_social_teams_list(larger_region):
    assert Share.objects.count() > LARGER * 0.02
    renamed = Share.objects.exclude(
        client_last_name=F("client__last_name"), client_first_name=F("client__first_name")
    )
    assert not renamed.exists()


def test_residents_were_opened_by_their_consultant_and_social_team_in_the_past_year(
    larger_region,
):
    logged = AccessLog.objects.filter(client__isnull=False)
    assert 2 * LARGER < logged.count() < 4 * LARGER
    assert logged.values("client").distinct().count() == LARGER
    assert set(logged.values_list("role", flat=True)) == {Role.CONSULTANT, Role.SOCIAL_TEAM}
    assert not logged.filter(at__lt=timezone.now() - timedelta(days=366)).exists()
    assert not logged.filter(at__gt=timezone.now()).exists()


def test_a_demo_resident_has_about_ten_timeline_events(larger_region):
    # Every twentieth resident stands at the same stage of the cycle: 40 cover each twice.
    residents = Client.objects.order_by("pk")[SMALL : SMALL + 40]
    events = [len(case_timeline(resident, EventKind.values)) for resident in residents]
    assert 8 <= sum(events) / len(events) <= 12


def index_definitions():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "UNION ALL SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f'"
        )
        return sorted(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="sets indexes aside on PostgreSQL")
def test_a_large_load_builds_its_indexes_again_and_counts_the_cases_anew(db, monkeypatch):
    monkeypatch.setattr(residents, "LARGE_LOAD", 10)
    monkeypatch.setattr(residents, "RECOUNT_FROM", 10)
    before = index_definitions()
    call_command("seed_demo", residents=SMALL, stdout=StringIO())
    assert index_definitions() == before
    assert Client.objects.count() == SMALL
    stored = stored_counts()
    call_command("rebuild_cases", stdout=StringIO())
    assert stored_counts() == stored
