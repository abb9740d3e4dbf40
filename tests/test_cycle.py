"""The rules of the cycle, as the models enforce them whatever a form or a client sends."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from trajectories.forms import ReevaluationForm
from trajectories.models import (
    Action,
    Blocker,
    Case,
    CaseNote,
    Category,
    Diagnosis,
    Goal,
    Intake,
    LadderRung,
    Placement,
    PlanOfAction,
    Reevaluation,
    Stage,
    add_months,
)

from . import factories
from .factories import stage_of

DAY = date(2026, 3, 2)


@pytest.fixture
def diagnosed(client_record):
    """A resident with an intake, a diagnosis and a plan of action: ready for a placement."""
    Intake.objects.create(client=client_record, held_on=DAY, what_matters="Werk")
    Diagnosis.objects.create(
        client=client_record,
        made_on=DAY,
        category=Category.objects.get(number=2),
        perspective="yes",
        rationale="Dichtbij werk.",
    )
    PlanOfAction.objects.create(client=client_record, drawn_up_on=DAY)
    Case.objects.refresh(client_record.pk)
    return client_record


def active_placement(client, provision, on=DAY):
    placement = Placement.propose(client, provision, on)
    placement.accept(on, "Coördinator")
    placement.activate(on)
    return placement


def test_a_diagnosis_needs_an_intake(client_record):
    diagnosis = Diagnosis(
        client=client_record,
        made_on=DAY,
        category=Category.objects.get(number=1),
        perspective="yes",
        rationale="x",
    )
    with pytest.raises(ValidationError, match="intake"):
        diagnosis.full_clean()


def test_a_plan_needs_a_diagnosis(client_record):
    Intake.objects.create(client=client_record, held_on=DAY)
    with pytest.raises(ValidationError, match="diagnose"):
        PlanOfAction(client=client_record, drawn_up_on=DAY).full_clean()


def test_a_placement_needs_a_diagnosis(client_record, provision):
    Intake.objects.create(client=client_record, held_on=DAY)
    with pytest.raises(ValidationError, match="diagnose"):
        Placement.propose(client_record, provision, DAY)
    assert not Placement.objects.exists()


def test_a_placement_needs_a_plan_of_action(client_record, provision):
    Intake.objects.create(client=client_record, held_on=DAY)
    Diagnosis.objects.create(
        client=client_record,
        made_on=DAY,
        category=Category.objects.get(number=2),
        perspective="yes",
        rationale="x",
    )
    with pytest.raises(ValidationError, match="plan van aanpak"):
        Placement.propose(client_record, provision, DAY)
    assert not Placement.objects.exists()


def test_a_diagnosis_cannot_come_before_the_intake(client_record):
    Intake.objects.create(client=client_record, held_on=DAY)
    diagnosis = Diagnosis(
        client=client_record,
        made_on=DAY - timedelta(days=1),
        category=Category.objects.get(number=1),
        perspective="yes",
        rationale="x",
    )
    with pytest.raises(ValidationError) as error:
        diagnosis.full_clean()
    assert "made_on" in error.value.error_dict


def test_a_proposal_with_room_is_proposed_and_moves_the_stage_on(diagnosed, provision):
    placement = Placement.propose(diagnosed, provision, DAY)
    assert placement.status == Placement.Status.PROPOSED
    diagnosed.refresh_from_db()
    assert stage_of(diagnosed) == Stage.PLACEMENT


def test_a_second_proposal_in_the_same_provision_is_refused(diagnosed, provision):
    Placement.propose(diagnosed, provision, DAY)
    with pytest.raises(ValidationError) as error:
        Placement.propose(diagnosed, provision, DAY)
    assert "provision" in error.value.error_dict


def test_the_database_refuses_two_open_placements_in_one_provision(diagnosed, provision):
    Placement.objects.create(client=diagnosed, provision=provision, proposed_on=DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(client=diagnosed, provision=provision, proposed_on=DAY)


def test_a_resident_may_hold_places_in_two_provisions_at_once(diagnosed, municipality):
    day_care = factories.make_provision(municipality=municipality, chain_step=2)
    volunteering = factories.make_provision(municipality=municipality, chain_step=3)
    active_placement(diagnosed, day_care)
    active_placement(diagnosed, volunteering)
    assert diagnosed.placements.filter(status="active").count() == 2


def test_a_full_provision_puts_residents_on_its_waiting_list_in_order(municipality):
    provision = factories.make_provision(municipality=municipality, capacity_places=1)
    first, second, third = [factories.make_client(municipality) for _ in range(3)]
    for resident in (first, second, third):
        factories.make_full_cycle(resident, provision=factories.make_provision())
    active_placement(first, provision)
    waiting = [
        Placement.propose(r, provision, DAY + timedelta(days=i))
        for i, r in enumerate((second, third))
    ]
    assert [p.status for p in waiting] == [Placement.Status.WAITING] * 2
    assert [p.place_in_line() for p in waiting] == [1, 2]


def test_a_waiting_list_is_served_in_order_even_when_a_place_frees_up(municipality):
    provision = factories.make_provision(municipality=municipality, capacity_places=1)
    residents = [factories.make_client(municipality) for _ in range(3)]
    for resident in residents:
        factories.make_full_cycle(resident, provision=factories.make_provision())
    holder = active_placement(residents[0], provision)
    first_in_line = Placement.propose(residents[1], provision, DAY)
    holder.end(DAY + timedelta(days=30), Placement.EndReason.GOAL_REACHED)
    # A place is free, but someone is already waiting: a newcomer joins the queue.
    newcomer = Placement.propose(residents[2], provision, DAY + timedelta(days=31))
    assert newcomer.status == Placement.Status.WAITING
    with pytest.raises(ValidationError, match="vóór"):
        newcomer.offer_free_place(DAY + timedelta(days=31))
    first_in_line.offer_free_place(DAY + timedelta(days=31))
    assert first_in_line.status == Placement.Status.PROPOSED


def test_a_place_is_offered_only_when_one_is_free(municipality):
    provision = factories.make_provision(municipality=municipality, capacity_places=1)
    holder_client, waiting_client = (
        factories.make_client(municipality),
        factories.make_client(municipality),
    )
    for resident in (holder_client, waiting_client):
        factories.make_full_cycle(resident, provision=factories.make_provision())
    active_placement(holder_client, provision)
    waiting = Placement.propose(waiting_client, provision, DAY)
    with pytest.raises(ValidationError, match="vrije plek"):
        waiting.offer_free_place(DAY)


def placed_residents(municipality, count):
    """Residents ready for a placement, each already placed somewhere else."""
    residents = [factories.make_client(municipality) for _ in range(count)]
    for resident in residents:
        factories.make_full_cycle(resident, provision=factories.make_provision(), on=DAY)
    return residents


def test_a_proposal_holds_its_place_so_the_next_one_waits(municipality):
    provision = factories.make_provision(municipality=municipality, capacity_places=1)
    first, second = placed_residents(municipality, 2)
    proposed = Placement.propose(first, provision, DAY)
    waiting = Placement.propose(second, provision, DAY)
    assert (proposed.status, waiting.status) == (
        Placement.Status.PROPOSED,
        Placement.Status.WAITING,
    )
    proposed.accept(DAY, "Els")  # the place was held for this proposal
    assert proposed.status == Placement.Status.ACCEPTED


def test_a_free_place_is_offered_to_one_resident_at_a_time(municipality):
    provision = factories.make_provision(municipality=municipality, capacity_places=1)
    holder, first, second = placed_residents(municipality, 3)
    holding = active_placement(holder, provision)
    in_line = [Placement.propose(resident, provision, DAY) for resident in (first, second)]
    holding.end(DAY + timedelta(days=30), Placement.EndReason.GOAL_REACHED)
    in_line[0].offer_free_place(DAY + timedelta(days=30))
    with pytest.raises(ValidationError, match="vrije plek"):
        in_line[1].offer_free_place(DAY + timedelta(days=30))
    in_line[1].refresh_from_db()
    assert in_line[1].status == Placement.Status.WAITING


def test_a_proposal_dated_back_does_not_jump_the_waiting_list(municipality):
    provision = factories.make_provision(municipality=municipality, capacity_places=0)
    early, late = placed_residents(municipality, 2)
    first = Placement.propose(early, provision, DAY)
    dated_back = Placement.propose(late, provision, DAY - timedelta(days=300))
    assert (first.place_in_line(), dated_back.place_in_line()) == (1, 2)


def test_a_place_is_not_offered_before_the_resident_joined_the_list(municipality):
    provision = factories.make_provision(municipality=municipality, capacity_places=0)
    (resident,) = placed_residents(municipality, 1)
    waiting = Placement.propose(resident, provision, DAY)
    with pytest.raises(ValidationError) as error:
        waiting.offer_free_place(DAY - timedelta(days=1))
    assert "proposed_on" in error.value.error_dict


def test_a_transition_does_not_jump_the_waiting_list(diagnosed, municipality):
    target = factories.make_provision(municipality=municipality, capacity_places=1)
    holder, waiting = placed_residents(municipality, 2)
    holding = active_placement(holder, target)
    Placement.propose(waiting, target, DAY)
    holding.end(DAY + timedelta(days=10), Placement.EndReason.GOAL_REACHED)
    current = active_placement(diagnosed, factories.make_provision(municipality=municipality))
    with pytest.raises(ValidationError, match="wachtlijst"):
        current.move_to(target, DAY + timedelta(days=20), "Wil verder")
    current.refresh_from_db()
    assert current.status == Placement.Status.ACTIVE


def test_a_placement_starts_no_earlier_than_the_acceptance_and_not_in_the_future(
    diagnosed, provision
):
    placement = Placement.propose(diagnosed, provision, DAY)
    placement.accept(DAY + timedelta(days=10), "Els")
    with pytest.raises(ValidationError) as error:
        placement.activate(DAY + timedelta(days=5))
    assert "start_on" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        placement.activate(date.today() + timedelta(days=1))
    assert "start_on" in error.value.error_dict
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ACCEPTED


def test_a_transition_cannot_start_in_the_future(diagnosed, municipality):
    current = active_placement(diagnosed, factories.make_provision(municipality=municipality))
    target = factories.make_provision(municipality=municipality, chain_step=3)
    with pytest.raises(ValidationError) as error:
        current.move_to(target, date.today() + timedelta(days=30), "Wil verder")
    assert "start_on" in error.value.error_dict


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
def test_taking_a_place_locks_the_provision_against_a_second_consultant(diagnosed, provision):
    with CaptureQueriesContext(connection) as queries:
        Placement.propose(diagnosed, provision, DAY)
    assert any("FOR UPDATE" in query["sql"] for query in queries.captured_queries)


def test_acceptance_is_recorded_with_the_providers_word(diagnosed, provision):
    placement = Placement.propose(diagnosed, provision, DAY)
    placement.accept(DAY + timedelta(days=2), "Els, intake CAB")
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ACCEPTED
    assert placement.accepted_by_provider == "Els, intake CAB"


def test_a_provider_cannot_accept_before_the_proposal(diagnosed, provision):
    placement = Placement.propose(diagnosed, provision, DAY)
    with pytest.raises(ValidationError) as error:
        placement.accept(DAY - timedelta(days=1), "Els")
    assert "accepted_on" in error.value.error_dict


def test_only_an_accepted_placement_starts(diagnosed, provision):
    placement = Placement.propose(diagnosed, provision, DAY)
    with pytest.raises(ValidationError, match="voorgesteld"):
        placement.activate(DAY)


def test_starting_sets_the_first_re_evaluation_six_months_on(diagnosed, provision):
    placement = active_placement(diagnosed, provision, on=date(2026, 8, 31))
    assert placement.reevaluation_due_on == date(2027, 2, 28)


def test_the_re_evaluation_interval_is_configurable(diagnosed, provision, settings):
    settings.REEVALUATION_INTERVAL_MONTHS = 3
    placement = active_placement(diagnosed, provision, on=date(2026, 1, 15))
    assert placement.reevaluation_due_on == date(2026, 4, 15)


def test_add_months_keeps_to_the_end_of_short_months():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 15), 12) == date(2027, 12, 15)


def test_ending_needs_a_reason_and_a_date_after_the_start(diagnosed, provision):
    placement = active_placement(diagnosed, provision)
    with pytest.raises(ValidationError) as error:
        placement.end(DAY + timedelta(days=1), "")
    assert "end_reason" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        placement.end(DAY - timedelta(days=1), Placement.EndReason.OTHER)
    assert "end_on" in error.value.error_dict


def test_an_ended_placement_cannot_end_again(diagnosed, provision):
    placement = active_placement(diagnosed, provision)
    placement.end(DAY, Placement.EndReason.PAID_WORK)
    with pytest.raises(ValidationError, match="al beëindigd"):
        placement.end(DAY, Placement.EndReason.PAID_WORK)


def test_a_withdrawn_proposal_ends_without_ever_starting(diagnosed, provision):
    placement = Placement.propose(diagnosed, provision, DAY)
    placement.end(
        DAY + timedelta(days=3), Placement.EndReason.DECLINED, "Geen plek voor dit profiel"
    )
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ENDED
    assert placement.start_on is None


def test_a_transition_closes_the_old_placement_the_day_before_the_new_starts(
    diagnosed, municipality
):
    old = active_placement(diagnosed, factories.make_provision(municipality=municipality))
    target = factories.make_provision(municipality=municipality, chain_step=3)
    blocker = Blocker.objects.get(name="Vervoer")
    transition = old.move_to(target, DAY + timedelta(days=60), "Wil verder", [blocker], "Bus")
    old.refresh_from_db()
    assert old.status == Placement.Status.ENDED
    assert old.end_on == DAY + timedelta(days=59)
    assert old.end_reason == Placement.EndReason.TRANSITION
    new = transition.to_placement
    assert (new.status, new.start_on, new.provision) == ("active", DAY + timedelta(days=60), target)
    assert list(transition.blockers.all()) == [blocker]
    assert transition.blocker_note == "Bus"


def test_a_transition_is_refused_to_the_same_or_a_full_provision(diagnosed, municipality):
    current = factories.make_provision(municipality=municipality)
    old = active_placement(diagnosed, current)
    with pytest.raises(ValidationError) as error:
        old.move_to(current, DAY + timedelta(days=10), "x")
    assert "provision" in error.value.error_dict
    full = factories.make_provision(municipality=municipality, capacity_places=0)
    with pytest.raises(ValidationError, match="vol"):
        old.move_to(full, DAY + timedelta(days=10), "x")
    old.refresh_from_db()
    assert old.status == Placement.Status.ACTIVE


def test_a_transition_must_start_after_the_current_placement_started(diagnosed, municipality):
    old = active_placement(diagnosed, factories.make_provision(municipality=municipality))
    with pytest.raises(ValidationError) as error:
        old.move_to(factories.make_provision(municipality=municipality), DAY, "x")
    assert "start_on" in error.value.error_dict


def test_only_an_active_placement_transitions(diagnosed, municipality):
    proposal = Placement.propose(
        diagnosed, factories.make_provision(municipality=municipality), DAY
    )
    with pytest.raises(ValidationError):
        proposal.move_to(factories.make_provision(), DAY + timedelta(days=5), "x")


def reevaluation(client, placement, held_on, decision="continue"):
    return Reevaluation(client=client, placement=placement, held_on=held_on, decision=decision)


def test_a_re_evaluation_needs_an_active_or_recent_placement(diagnosed, provision):
    with pytest.raises(ValidationError) as error:
        reevaluation(diagnosed, None, DAY).full_clean()
    assert "placement" in error.value.error_dict
    placement = active_placement(diagnosed, provision)
    reevaluation(diagnosed, placement, DAY + timedelta(days=10)).full_clean()
    placement.end(DAY + timedelta(days=20), Placement.EndReason.GOAL_REACHED)
    # Ended long ago (the demo's DAY is months back): too late to look back on.
    with pytest.raises(ValidationError, match="kort geleden"):
        reevaluation(diagnosed, placement, date.today()).full_clean()


def test_a_recently_ended_placement_can_still_be_re_evaluated(diagnosed, provision, consultant):
    today = date.today()
    placement = active_placement(diagnosed, provision, on=today - timedelta(days=200))
    placement.end(today - timedelta(days=10), Placement.EndReason.CLIENT_STOPPED)
    offered = ReevaluationForm(diagnosed, consultant).fields["placement"].queryset
    assert list(offered) == [placement]
    looking_back = reevaluation(diagnosed, placement, today)
    looking_back.full_clean()  # raises no ValidationError
    looking_back.save()
    looking_back.apply_decision()
    assert list(placement.reevaluations.all()) == [looking_back]
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ENDED


def test_a_re_evaluation_cannot_look_at_someone_elses_placement(diagnosed, provision, municipality):
    other = factories.make_client(municipality)
    placement = factories.make_full_cycle(other, provision=provision)
    with pytest.raises(ValidationError, match="plaatsing"):
        reevaluation(diagnosed, placement, DAY).full_clean()


def test_a_re_evaluation_cannot_come_before_the_placement_started(diagnosed, provision):
    placement = active_placement(diagnosed, provision)
    with pytest.raises(ValidationError) as error:
        reevaluation(diagnosed, placement, DAY - timedelta(days=1)).full_clean()
    assert "held_on" in error.value.error_dict


def record(client, placement, decision, held_on, end_reason=""):
    done = reevaluation(client, placement, held_on, decision)
    done.full_clean()
    done.save()
    done.apply_decision(end_reason)
    placement.refresh_from_db()
    client.refresh_from_db()
    return done


def test_continuing_sets_the_next_re_evaluation(diagnosed, provision):
    placement = active_placement(diagnosed, provision)
    record(diagnosed, placement, "continue", date(2026, 9, 1))
    assert placement.reevaluation_due_on == date(2027, 3, 1)
    assert stage_of(diagnosed) == Stage.REEVALUATION


def test_stepping_up_sends_the_resident_back_to_placement(diagnosed, provision):
    placement = active_placement(diagnosed, provision)
    record(diagnosed, placement, "step_up", date(2026, 9, 1))
    assert placement.status == Placement.Status.ACTIVE
    assert stage_of(diagnosed) == Stage.PLACEMENT


def test_ending_at_a_re_evaluation_ends_the_placement(diagnosed, provision):
    placement = active_placement(diagnosed, provision)
    record(diagnosed, placement, "end", date(2026, 9, 1), Placement.EndReason.PAID_WORK)
    assert placement.status == Placement.Status.ENDED
    assert placement.end_reason == Placement.EndReason.PAID_WORK
    assert stage_of(diagnosed) == Stage.PLACEMENT


def test_the_ladder_movement_compares_with_the_rung_before(diagnosed, provision):
    from trajectories.models import Assessment

    placement = active_placement(diagnosed, provision)
    done = reevaluation(diagnosed, placement, DAY + timedelta(days=100))
    done.rung_before = LadderRung.objects.get(number=2)
    done.assessment = Assessment.objects.create(
        client=diagnosed, assessed_on=done.held_on, current_rung=LadderRung.objects.get(number=4)
    )
    assert done.ladder_movement == 2


def test_a_re_evaluation_entered_late_leaves_the_next_due_date_alone(diagnosed, provision):
    placement = active_placement(diagnosed, provision)
    record(diagnosed, placement, "continue", date(2026, 9, 1))
    record(diagnosed, placement, "continue", date(2026, 8, 1))
    assert placement.reevaluation_due_on == date(2027, 3, 1)


def test_a_case_conference_names_its_participants(client_record):
    note = CaseNote(client=client_record, kind="conference", happened_on=DAY, text="Overleg")
    with pytest.raises(ValidationError) as error:
        note.full_clean()
    assert "participants" in error.value.error_dict


def test_overdue_re_evaluations_stalled_proposals_and_late_actions_need_attention(municipality):
    today = date.today()
    overdue = factories.make_client(municipality)
    factories.make_full_cycle(overdue, on=today - timedelta(days=400))
    stalled = factories.make_client(municipality)
    factories.make_full_cycle(stalled, on=today - timedelta(days=10)).end(
        today, Placement.EndReason.OTHER
    )
    Placement.propose(stalled, factories.make_provision(), today - timedelta(days=30))
    late_action = factories.make_client(municipality)
    factories.make_full_cycle(late_action, on=today - timedelta(days=5))
    goal = Goal.objects.create(plan=late_action.plans.get(), description="Structuur")
    Action.objects.create(goal=goal, description="Bellen", due_on=today - timedelta(days=1))
    fine = factories.make_client(municipality)
    factories.make_full_cycle(fine, on=today - timedelta(days=5))

    attention = {case.client for case in Case.objects.needing_attention()}
    assert attention == {overdue, stalled, late_action}
    cases = {case.client: case for case in Case.objects.select_related("client")}
    assert cases[overdue].is_overdue
    assert cases[stalled].proposal_stalled
    assert cases[late_action].is_overdue
    assert not cases[fine].is_overdue and not cases[fine].proposal_stalled


def test_the_next_step_names_what_its_due_date_belongs_to(municipality):
    today = date.today()
    resident = factories.make_client(municipality)
    placement = factories.make_full_cycle(resident, on=today - timedelta(days=30))
    goal = Goal.objects.create(plan=resident.plans.get(), description="Structuur")
    action = Action.objects.create(
        goal=goal, description="Bellen", due_on=today + timedelta(days=10)
    )

    def next_step():
        label, due_on = Case.objects.get(pk=resident.pk).next_step
        return str(label), due_on

    assert next_step() == ("Actie uit het plan van aanpak opvolgen", action.due_on)
    action.due_on = today + timedelta(days=400)
    action.save()
    assert next_step() == ("Plaatsing herbeoordelen", placement.reevaluation_due_on)


def test_a_later_action_does_not_hide_that_a_placement_is_to_be_arranged(municipality):
    today = date.today()
    resident = factories.make_client(municipality)
    factories.make_full_cycle(resident, on=today - timedelta(days=30)).end(
        today, Placement.EndReason.OTHER
    )
    goal = Goal.objects.create(plan=resident.plans.get(), description="Structuur")
    Action.objects.create(goal=goal, description="Bellen", due_on=today + timedelta(days=10))
    assert stage_of(resident) == Stage.PLACEMENT
    label, due_on = Case.objects.get(pk=resident.pk).next_step
    assert (str(label), due_on) == ("Plaatsing regelen", None)

    late = Action.objects.create(goal=goal, description="Mailen", due_on=today - timedelta(days=1))
    label, due_on = Case.objects.get(pk=resident.pk).next_step
    assert (str(label), due_on) == ("Actie uit het plan van aanpak opvolgen", late.due_on)
