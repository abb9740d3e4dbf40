"""The figures of movement over a period, against a handful of residents counted by hand."""

from datetime import date

import pytest

from clients.models import Client
from trajectories import flows
from trajectories.models import Assessment, Case, Intake, LadderRung, Reevaluation

from . import factories

pytestmark = pytest.mark.django_db

JANUARY, FEBRUARY, MARCH = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
START, END = date(2026, 1, 1), date(2026, 3, 31)


def resident(municipality, *intakes, closed=None):
    client = factories.make_client(municipality)
    for held_on in intakes:
        Intake.objects.create(client=client, held_on=held_on)
    if closed:
        Client.objects.filter(pk=client.pk).update(closed_on=closed[0], closed_reason=closed[1])
    return client


def reevaluate(client, held_on, before, after):
    assessment = Assessment.objects.create(
        client=client, assessed_on=held_on, current_rung=LadderRung.objects.get(number=after)
    )
    return Reevaluation.objects.create(
        client=client,
        held_on=held_on,
        assessment=assessment,
        rung_before=LadderRung.objects.get(number=before),
        decision=Reevaluation.Decision.CONTINUE,
    )


@pytest.fixture
def period(municipality, other_municipality):
    """In Woerden: Anna came in in January (a second intake in March is no new inflow), Bram in
    February and found paid work in March, Cor has been in the cycle since 2023, Dirk came
    before the period and moved away in February. In Oudewater: Eva came in in January."""
    paid, moved = Client.ClosedReason.PAID_WORK, Client.ClosedReason.MOVED_AWAY
    anna = resident(municipality, date(2026, 1, 10), date(2026, 3, 5))
    resident(municipality, date(2026, 2, 1), closed=(date(2026, 3, 10), paid))
    cor = resident(municipality, date(2023, 5, 1))
    resident(municipality, date(2025, 12, 31), closed=(date(2026, 2, 15), moved))
    eva = resident(other_municipality, date(2026, 1, 20))
    reevaluate(anna, date(2026, 2, 1), before=2, after=4)
    reevaluate(cor, date(2026, 3, 1), before=3, after=2)
    reevaluate(eva, date(2025, 12, 1), before=1, after=2)  # before the period
    return Case.objects.all(), Case.objects.filter(municipality=municipality)


def test_inflow_counts_first_intakes_per_month(period):
    everyone, woerden = period
    assert flows.inflow(everyone, START, END) == {JANUARY: 2, FEBRUARY: 1, MARCH: 0}
    assert flows.inflow(woerden, START, END) == {JANUARY: 1, FEBRUARY: 1, MARCH: 0}


def test_outflow_splits_paid_work_from_elsewhere(period):
    _, woerden = period
    assert flows.outflow(woerden, START, END) == {
        JANUARY: (0, 0),
        FEBRUARY: (0, 1),
        MARCH: (1, 0),
    }


def test_ladder_movement_of_the_reevaluations_in_the_period(period):
    everyone, _ = period
    assert flows.ladder_movement(everyone, START, END) == {-1: 1, 2: 1}


def test_long_term_dependency_among_the_open_files(period):
    everyone, woerden = period
    # Open at the end of March: Anna, Cor (since 2023), Eva; Bram and Dirk have left.
    assert flows.long_term(everyone, END) == (1, 3)
    assert flows.long_term(woerden, END) == (1, 2)
    # At the start of 2026 Bram had not come in yet, Dirk was still there.
    assert flows.long_term(woerden, date(2025, 12, 31)) == (1, 2)


def test_months_run_across_the_new_year():
    assert flows.months(date(2025, 11, 15), date(2026, 2, 1)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
