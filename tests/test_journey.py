"""The consultant's journey through plain form posts, as a browser without JavaScript sends them."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from clients.models import Client
from trajectories.models import (
    Blocker,
    CaseNote,
    Category,
    FormDraft,
    Intervention,
    LadderRung,
    LifeDomain,
    Placement,
    Reevaluation,
    ScoreLevel,
    Stage,
    Transition,
)

from . import factories
from .factories import stage_of


def iso(day):
    return day.isoformat()


@pytest.fixture
def consultant_client(client, consultant):
    client.force_login(consultant)
    return client


def rung(number):
    return LadderRung.objects.get(number=number).pk


def test_the_whole_journey_through_plain_form_posts(consultant_client, consultant, municipality):
    today = date.today()
    day_centre = factories.make_provision(
        name="Dagbesteding CAB", municipality=municipality, chain_step=2
    )
    volunteering = factories.make_provision(
        name="Vrijwilligerswerk met begeleiding", municipality=municipality, chain_step=3
    )
    http = consultant_client

    # Register.
    response = http.post(
        reverse("trajectories:register"),
        {
            "first_name": "Sanne",
            "last_name": "Visser",
            "bsn": "111222333",
            "date_of_birth": "1990-04-12",
            "municipality": municipality.pk,
            "consultant": consultant.pk,
        },
    )
    resident = Client.objects.get(bsn="111222333")
    assert response.status_code == 302 and response.url == resident.get_absolute_url()
    assert stage_of(resident) == Stage.INTAKE
    case = resident.get_absolute_url()

    # Brede intake, with two of the thirteen life domains scored.
    finance, network = (
        LifeDomain.objects.get(name="Financiën"),
        LifeDomain.objects.get(name="Sociaal netwerk"),
    )
    response = http.post(
        reverse("trajectories:intake", args=[resident.pk]),
        {
            "held_on": iso(today - timedelta(days=30)),
            "what_matters": "Mijn dochter en de hond.",
            "wishes": "Iets met dieren doen.",
            "contribution": "Ik ben handig en geduldig.",
            "current_rung": rung(2),
            "attainable_rung": rung(4),
            f"score_{finance.pk}": ScoreLevel.objects.get(value=2).pk,
            f"note_{finance.pk}": "Schulden bij de energieleverancier.",
            f"score_{network.pk}": ScoreLevel.objects.get(value=3).pk,
        },
    )
    assert response.status_code == 302 and response.url == case
    resident.refresh_from_db()
    assert stage_of(resident) == Stage.DIAGNOSIS
    assessment = resident.assessments.get()
    assert {s.life_domain.name for s in assessment.scores.all()} == {"Financiën", "Sociaal netwerk"}

    # Diagnosis with interventions per form of participation.
    debt_help = Intervention.objects.get(name="Schuldhulpverlening")
    day_activities = Intervention.objects.get(name="Dagbesteding")
    response = http.post(
        reverse("trajectories:diagnosis", args=[resident.pk]),
        {
            "made_on": iso(today - timedelta(days=25)),
            "category": Category.objects.get(number=3).pk,
            "perspective": "in_time",
            "target_rung": rung(4),
            "rationale": "Eerst rust in de financiën, dan structuur via dagbesteding.",
            "interventions_social": [debt_help.pk],
            "interventions_societal": [day_activities.pk],
        },
    )
    assert response.status_code == 302
    diagnosis = resident.diagnoses.get()
    assert set(diagnosis.interventions.all()) == {debt_help, day_activities}

    # Plan of action: a goal, then an action with who and when.
    response = http.post(
        reverse("trajectories:goal", args=[resident.pk]),
        {"description": "Een vaste dagstructuur", "participation": "societal"},
    )
    assert response.status_code == 302
    goal = resident.plans.get().goals.get()
    response = http.post(
        reverse("trajectories:action", args=[resident.pk]),
        {
            "goal": goal.pk,
            "description": "Kennismaken bij de dagbesteding",
            "responsible": "Sanne en klantmanager",
            "due_on": iso(today + timedelta(days=14)),
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert stage_of(resident) == Stage.PLACEMENT

    # Placement: propose, the provider accepts (recorded), start.
    response = http.post(
        reverse("trajectories:propose", args=[resident.pk]),
        {"provision": day_centre.pk, "proposed_on": iso(today - timedelta(days=20))},
    )
    assert response.status_code == 302
    placement = resident.placements.get()
    assert placement.status == Placement.Status.PROPOSED
    response = http.post(
        reverse("trajectories:accept", args=[resident.pk, placement.pk]),
        {"accepted_on": iso(today - timedelta(days=18)), "accepted_by_provider": "Els (CAB)"},
    )
    assert response.status_code == 302
    response = http.post(
        reverse("trajectories:start", args=[resident.pk, placement.pk]),
        {"start_on": iso(today - timedelta(days=15))},
    )
    assert response.status_code == 302
    placement.refresh_from_db()
    resident.refresh_from_db()
    assert placement.status == Placement.Status.ACTIVE
    assert placement.accepted_by_provider == "Els (CAB)"
    assert placement.reevaluation_due_on is not None
    assert stage_of(resident) == Stage.REEVALUATION

    # Transition to volunteering: the old placement closes the day before the new one starts.
    transport = Blocker.objects.get(name="Vervoer")
    move_on = today - timedelta(days=5)
    response = http.post(
        reverse("trajectories:transition", args=[resident.pk, placement.pk]),
        {
            "provision": volunteering.pk,
            "start_on": iso(move_on),
            "motives": "Sanne wil meer verantwoordelijkheid.",
            "blockers": [transport.pk],
            "blocker_note": "Busverbinding alleen in de ochtend.",
        },
    )
    assert response.status_code == 302
    transition = Transition.objects.get(client=resident)
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ENDED
    assert placement.end_on == move_on - timedelta(days=1)
    assert placement.end_reason == Placement.EndReason.TRANSITION
    assert transition.to_placement.provision == volunteering
    assert transition.to_placement.start_on == move_on
    assert list(transition.blockers.all()) == [transport]

    # Re-evaluation: one rung up, continue.
    response = http.post(
        reverse("trajectories:reevaluation", args=[resident.pk]),
        {
            "placement": transition.to_placement.pk,
            "held_on": iso(today),
            "current_rung": rung(3),
            "attainable_rung": rung(4),
            f"score_{finance.pk}": ScoreLevel.objects.get(value=3).pk,
            "decision": "continue",
            "notes": "Gaat goed.",
        },
    )
    assert response.status_code == 302
    reevaluation = Reevaluation.objects.get(client=resident)
    assert reevaluation.ladder_movement == 1
    assert reevaluation.assessment.scores.get().level.value == 3

    # A case conference, then the whole story on the timeline.
    response = http.post(
        reverse("trajectories:note", args=[resident.pk]),
        {
            "kind": "conference",
            "happened_on": iso(today),
            "text": "Afspraken over vervoer.",
            "participants": "Sanne, klantmanager, begeleider CAB",
        },
    )
    assert response.status_code == 302
    assert CaseNote.objects.filter(client=resident).count() == 1
    timeline = http.get(reverse("trajectories:timeline", args=[resident.pk])).text
    for text in [
        "Brede intake",
        "Dagbesteding CAB",
        "Vervoer; Busverbinding alleen in de ochtend.",
        "Afspraken over vervoer.",
        "Ladderbeweging: +1",
    ]:
        assert text in timeline
    page = http.get(case).text
    assert "Mijn dochter en de hond." in page
    assert FormDraft.objects.count() == 0


def test_a_re_evaluation_entered_late_measures_from_the_assessment_before_it(
    consultant_client, consultant, municipality
):
    today = date.today()
    resident = factories.make_client(municipality, consultant)
    placement = factories.make_full_cycle(resident, on=today - timedelta(days=200))  # rung 2

    def reevaluate(days_ago, current):
        response = consultant_client.post(
            reverse("trajectories:reevaluation", args=[resident.pk]),
            {
                "placement": placement.pk,
                "held_on": iso(today - timedelta(days=days_ago)),
                "current_rung": rung(current),
                "decision": "continue",
            },
        )
        assert response.status_code == 302
        return Reevaluation.objects.order_by("pk").last()

    assert reevaluate(10, 4).ladder_movement == 2
    late = reevaluate(100, 3)
    assert (late.rung_before.number, late.ladder_movement) == (2, 1)
    placement.refresh_from_db()
    assert placement.reevaluation_due_on > today  # still six months after the latest one
