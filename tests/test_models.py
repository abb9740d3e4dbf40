from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from clients.models import Client
from provisions.models import ChainStep, Provision
from trajectories.models import (
    Case,
    Category,
    Diagnosis,
    Intake,
    LadderRung,
    LifeDomain,
    Placement,
    PlanOfAction,
    ScoreLevel,
    Stage,
)

from . import factories

DAY = date(2026, 3, 2)


def stage_of(client):
    """The stage stored in the case: saving a record of the cycle refreshes it."""
    return Case.objects.get(pk=client.pk).stage


def test_instruments_are_seeded_as_data(db):
    assert list(LadderRung.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert LadderRung.objects.get(number=1).name == "Geïsoleerd"
    assert LifeDomain.objects.count() == 13
    assert set(LifeDomain.objects.values_list("participation", flat=True)) == {
        "social",
        "societal",
        "economic",
    }
    assert ScoreLevel.objects.get(value=5).name == "Volledig zelfredzaam"
    assert Category.objects.get(number=4).name == "Zorg / maatschappelijke participatie"
    assert ChainStep.objects.count() == 6
    assert ChainStep.objects.get(position=6).name == "Betaald werk"


def test_the_stage_follows_the_records_of_the_cycle(client_record, provision):
    assert stage_of(client_record) == Stage.INTAKE
    Intake.objects.create(client=client_record, held_on=DAY)
    assert stage_of(client_record) == Stage.DIAGNOSIS
    Diagnosis.objects.create(
        client=client_record,
        made_on=DAY,
        category=Category.objects.get(number=2),
        perspective="yes",
        rationale="Korte afstand tot werk.",
    )
    assert stage_of(client_record) == Stage.PLAN
    PlanOfAction.objects.create(client=client_record, drawn_up_on=DAY)
    assert stage_of(client_record) == Stage.PLACEMENT
    Placement.objects.create(
        client=client_record, provision=provision, status="active", proposed_on=DAY, start_on=DAY
    )
    assert stage_of(client_record) == Stage.REEVALUATION


def test_category_and_rung_come_from_the_latest_diagnosis_and_assessment(client_record):
    factories.make_full_cycle(client_record, on=date(2025, 1, 1))
    Diagnosis.objects.create(
        client=client_record,
        made_on=date(2026, 1, 1),
        category=Category.objects.get(number=4),
        perspective="not_expected",
        rationale="Zorg staat voorop.",
    )
    case = Case.objects.get(pk=client_record.pk)
    assert case.category.number == 4
    assert case.rung.number == 2


def test_one_active_placement_per_client_per_provision(client_record, provision):
    Placement.objects.create(
        client=client_record, provision=provision, status="active", proposed_on=DAY, start_on=DAY
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(
            client=client_record,
            provision=provision,
            status="active",
            proposed_on=DAY,
            start_on=DAY,
        )
    # Several placements at once in different provisions, and ended ones alongside, are fine.
    other = factories.make_provision()
    Placement.objects.create(
        client=client_record, provision=other, status="active", proposed_on=DAY, start_on=DAY
    )
    Placement.objects.create(
        client=client_record,
        provision=provision,
        status="ended",
        proposed_on=DAY,
        start_on=DAY,
        end_on=DAY,
        end_reason="goal_reached",
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "active", "start_on": None},
        {"status": "active", "start_on": DAY, "end_on": DAY},
        {"status": "ended", "start_on": DAY, "end_on": DAY, "end_reason": ""},
        {"status": "ended", "start_on": DAY, "end_on": None, "end_reason": "other"},
        {"status": "ended", "start_on": DAY, "end_on": date(2026, 3, 1), "end_reason": "other"},
        {"status": "proposed", "start_on": date(2026, 3, 1)},
    ],
)
def test_the_database_refuses_impossible_placements(client_record, provision, fields):
    with pytest.raises(IntegrityError):
        Placement.objects.create(
            client=client_record, provision=provision, proposed_on=DAY, **fields
        )


def test_search_finds_by_bsn_date_of_birth_and_parts_of_the_name(municipality):
    fenna = factories.make_client(
        municipality,
        first_name="Fenna",
        name_prefix="van",
        last_name="Dijk",
        bsn="123456782",
        date_of_birth=date(1990, 4, 7),
    )
    factories.make_client(municipality, first_name="Karel", last_name="Dijkstra")
    factories.make_client(municipality, first_name="Aaltje", last_name="Bos")
    clients = Client.objects.all()
    assert list(clients.search("123456782")) == [fenna]
    assert list(clients.search("1234.56.782")) == [fenna]
    assert list(clients.search("07-04-1990")) == [fenna]
    assert list(clients.search("fenna dijk")) == [fenna]
    assert {c.last_name for c in clients.search("DIJK")} == {"Dijk", "Dijkstra"}
    assert clients.search("  ").count() == 3
    assert not clients.search("31-02-1990").exists()


def test_a_name_search_keeps_the_lists_order(municipality):
    for first, last in [("Piet", "Molenaar"), ("Anna", "Molenaar"), ("Bram", "Aalbers")]:
        factories.make_client(municipality, first_name=first, last_name=last)
    found = Client.objects.search("molenaar")
    assert [c.first_name for c in found] == ["Anna", "Piet"]


def test_a_name_search_reads_its_matches_through_the_trigram_index(municipality):
    # However many matches PostgreSQL guesses, it never walks the name index to fill a page:
    # the residents of one last name lie together, and it would pass everyone filed before.
    for number in range(200):
        last_name = "Molenaar" if number % 4 == 0 else f"Aalbers{number}"
        factories.make_client(municipality, first_name=f"Inwoner{number}", last_name=last_name)
    page = Client.objects.search("molenaar").values_list("pk", flat=True)[:25]
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clients_client")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "client_search_name_trgm" in plan
    assert "client_name_order" not in plan


def test_a_consultant_sees_residents_of_the_municipalities_their_organisation_serves(
    consultant, client_record, client_elsewhere
):
    assert list(Client.objects.visible_to(consultant)) == [client_record]


def test_managers_and_administrators_see_every_resident(
    manager, administrator, client_record, client_elsewhere
):
    assert Client.objects.visible_to(manager).count() == 2
    assert Client.objects.visible_to(administrator).count() == 2


def test_a_social_team_sees_no_resident_that_was_not_shared(social_team_member, client_record):
    assert not Client.objects.visible_to(social_team_member).exists()


def test_a_user_without_a_role_sees_nobody(db, client_record):
    assert not Client.objects.visible_to(factories.make_user()).exists()


def test_occupancy_counts_placements_and_the_proposals_holding_a_place(client_record, provision):
    proposed, waiting = (factories.make_client(client_record.municipality) for _ in range(2))
    Placement.objects.create(
        client=client_record, provision=provision, status="active", proposed_on=DAY, start_on=DAY
    )
    Placement.objects.create(
        client=proposed, provision=provision, status="proposed", proposed_on=DAY
    )
    Placement.objects.create(client=waiting, provision=provision, status="waiting", proposed_on=DAY)
    annotated = Provision.objects.with_occupancy().get(pk=provision.pk)
    assert (annotated.occupied_places, annotated.free_places) == (2, 8)
    assert annotated.waiting_count == 1
    step = ChainStep.objects.with_occupancy().get(pk=provision.chain_step_id)
    assert (step.occupied_places, step.capacity_places) == (2, 10)


def test_changes_to_a_client_are_kept_in_its_history(client_record):
    client_record.phone = "0348-123456"
    client_record.save()
    assert client_record.history.count() == 2
    assert client_record.history.first().phone == "0348-123456"
