"""The figures of movement over a period, against a handful of residents counted by hand:
read from the flow counts that every step of the cycle keeps."""

from datetime import date

import pytest

from clients.models import Client
from trajectories import flows
from trajectories.models import Assessment, Case, FlowCount, Intake, LadderRung
from trajectories.privacy import close_file, reopen_file

from . import factories

pytestmark = pytest.mark.django_db

JANUARY, FEBRUARY, MARCH = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
START, END = date(2026, 1, 1), date(2026, 3, 31)


def resident(municipality, *intakes, closed=None):
    client = factories.make_client(municipality)
    for held_on in intakes:
        Intake.objects.create(client=client, held_on=held_on)
    if closed:
        close_file(client, *closed)
    return client


def assess(client, *assessments):
    for assessed_on, rung in assessments:
        Assessment.objects.create(
            client=client, assessed_on=assessed_on, current_rung=LadderRung.objects.get(number=rung)
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
    assess(anna, (date(2026, 1, 10), 2), (date(2026, 2, 1), 4))
    assess(cor, (date(2023, 5, 1), 3), (date(2024, 5, 1), 3), (date(2026, 3, 1), 2))
    assess(eva, (date(2025, 1, 20), 1), (date(2025, 12, 1), 2))  # before the period
    return FlowCount.objects.all(), FlowCount.objects.filter(municipality=municipality)


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


def test_ladder_movement_between_the_last_two_assessments_in_the_period(period):
    everyone, _ = period
    # Anna up two rungs in February, Cor down one in March (since 2024, not since 2023);
    # Eva's latest assessment was before the period.
    assert flows.ladder_movement(everyone, START, END) == {-1: 1, 2: 1}
    assert flows.ladder_movement(everyone, date(2025, 12, 1), date(2025, 12, 31)) == {1: 1}


def test_long_term_dependency_among_the_open_files(period, municipality):
    everyone, woerden = period
    # Open today: Anna and Eva (since January 2026) and Cor (since May 2023); Bram and Dirk
    # have left.
    assert flows.long_term(everyone, END) == (1, 3)
    assert flows.long_term(woerden, END) == (1, 2)
    # Counted by whole months: in May 2025 Cor's May 2023 is not yet more than two years ago.
    assert flows.long_term(everyone, date(2025, 6, 1)) == (1, 3)
    assert flows.long_term(everyone, date(2025, 5, 31)) == (0, 3)


def test_a_reopened_file_counts_in_the_cycle_again_and_no_longer_as_left(period, municipality):
    everyone, woerden = period
    dirk = Client.objects.get(municipality=municipality, closed_reason="moved_away")
    reopen_file(dirk)
    assert flows.long_term(woerden, END) == (1, 3)
    assert flows.outflow(woerden, START, END)[FEBRUARY] == (0, 0)
    assert FlowCount.objects.tally() == Case.objects.tallies()[1]


def test_months_run_across_the_new_year():
    assert flows.months(date(2025, 11, 15), date(2026, 2, 1)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
