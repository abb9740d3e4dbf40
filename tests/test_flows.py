"""Flows along the chain: the moves counted as residents start, move on and leave, checked
against a scenario counted by hand; the page's figures and the residents behind them; who may
see them; bad input; query counts."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from provisions.models import ChainStep
from trajectories.chain_flows import ChainFlows, median_of
from trajectories.models import (
    Blocker,
    BlockerCount,
    Case,
    MoveCount,
    Placement,
    move_tallies,
    moves_of,
)

from . import factories

pytestmark = pytest.mark.django_db

FLOWS = reverse("trajectories:flows")
RESIDENTS = reverse("trajectories:flow_residents")
PERIOD = {"start": "2026-01-01", "end": "2026-11-30"}


def place(resident, provision, on):
    """Propose, accept and start a placement on one day, as the consultant records it."""
    placement = Placement.propose(resident, provision, on)
    placement.accept(on, "Telefonisch akkoord")
    placement.activate(on)
    return placement


@pytest.fixture
def steps():
    return {step.position: step for step in ChainStep.objects.all()}


@pytest.fixture
def scenario(municipality, other_municipality, consultant, steps):
    """Counted by hand, per step (positions 2 day activities, 3 volunteering, 4 beschut):
    Anna    came into 2 on 2 Feb; 2 -> 3 on 4 May (3 whole months in 2, held up by two
            blockers); left 3 for paid work on 3 Aug (2 whole months in 3).
    Bram    came into 2 on 2 Mar; left 2 otherwise on 1 Jun (2 whole months).
    Cees    came into 2 on 2 Mar; 2 -> 4 on 1 Apr (0 whole months, one blocker).
    Dewi    (another municipality) came into 3 on 2 Mar.
    Eva     proposed for 4 and never started: no move."""
    day, volunteering, beschut = (
        factories.make_provision(chain_step=position) for position in (2, 3, 4)
    )
    blockers = list(Blocker.objects.order_by("name")[:2])
    people = {}
    for name in ("Anna", "Bram", "Cees", "Eva"):
        people[name] = factories.make_client(municipality, consultant, first_name=name)
        factories.make_plan_ready(people[name])
    people["Dewi"] = factories.make_client(other_municipality, first_name="Dewi")
    factories.make_plan_ready(people["Dewi"])

    anna = place(people["Anna"], day, date(2026, 2, 2))
    anna = anna.move_to(volunteering, date(2026, 5, 4), "Toe aan meer", blockers).to_placement
    anna.end(date(2026, 8, 3), Placement.EndReason.PAID_WORK)
    place(people["Bram"], day, date(2026, 3, 2)).end(
        date(2026, 6, 1), Placement.EndReason.CLIENT_STOPPED
    )
    place(people["Cees"], day, date(2026, 3, 2)).move_to(
        beschut, date(2026, 4, 1), "Meer structuur", blockers[:1]
    )
    place(people["Dewi"], volunteering, date(2026, 3, 2))
    Placement.propose(people["Eva"], beschut, date(2026, 3, 2))
    return people, blockers


def test_each_start_move_and_end_is_counted_as_a_move_with_its_month_and_time_in_step(
    scenario, municipality, other_municipality, steps
):
    people, blockers = scenario
    s2, s3, s4 = (steps[position].pk for position in (2, 3, 4))
    here, there = municipality.pk, other_municipality.pk
    assert MoveCount.objects.tally() == {
        (here, date(2026, 2, 1), None, s2, "step", None): 1,
        (here, date(2026, 5, 1), s2, s3, "step", 3): 1,
        (here, date(2026, 8, 1), s3, None, "paid_work", 2): 1,
        (here, date(2026, 3, 1), None, s2, "step", None): 2,
        (here, date(2026, 6, 1), s2, None, "otherwise", 2): 1,
        (here, date(2026, 4, 1), s2, s4, "step", 0): 1,
        (there, date(2026, 3, 1), None, s3, "step", None): 1,
    }
    first, second = (blocker.pk for blocker in blockers)
    assert BlockerCount.objects.tally() == {
        (here, date(2026, 5, 1), s2, s3, first): 1,
        (here, date(2026, 5, 1), s2, s3, second): 1,
        (here, date(2026, 4, 1), s2, s4, first): 1,
    }


def test_the_counts_kept_step_by_step_equal_a_recount_by_rebuild_cases(scenario):
    kept = MoveCount.objects.tally(), BlockerCount.objects.tally()
    derived = moves_of(list(Case.objects.values_list("pk", flat=True)))
    assert (
        move_tallies(
            (municipality, derived.get(pk, []))
            for pk, municipality in Case.objects.values_list("pk", "municipality")
        )
        == kept
    )
    MoveCount.objects.all().delete()
    call_command("rebuild_cases", stdout=StringIO())
    assert (MoveCount.objects.tally(), BlockerCount.objects.tally()) == kept


def test_undoing_a_move_takes_it_out_of_the_counts(scenario, steps):
    people, _blockers = scenario
    ended = people["Bram"].placements.get()
    ended.delete()
    assert not MoveCount.objects.tally().get(
        (people["Bram"].municipality_id, date(2026, 6, 1), steps[2].pk, None, "otherwise", 2)
    )


def test_a_resident_who_moves_municipality_takes_their_moves_along(
    scenario, other_municipality, steps
):
    people, _blockers = scenario
    bram = people["Bram"]
    bram.municipality = other_municipality
    bram.save()
    Case.objects.refresh(bram.pk)
    moved = MoveCount.objects.tally()
    key = (other_municipality.pk, date(2026, 6, 1), steps[2].pk, None, "otherwise", 2)
    assert moved[key] == 1


def test_the_flows_of_a_municipality_counted_by_hand(scenario, municipality, consultant, steps):
    flows = ChainFlows(consultant, date(2026, 1, 1), date(2026, 11, 30), municipality)
    moves, _months = flows.moves
    s2, s3, s4 = (steps[position].pk for position in (2, 3, 4))
    assert moves == {
        ("in", s2): 3,
        (s2, s3): 1,
        (s2, s4): 1,
        (s2, "other"): 1,
        (s3, "paid"): 1,
    }
    per_step = {row.step.position: row for row in flows.per_step()}
    assert (per_step[2].inflow, per_step[2].outflow, per_step[2].to_paid_work) == (3, 3, 0)
    assert (per_step[3].inflow, per_step[3].outflow, per_step[3].to_paid_work) == (1, 1, 1)
    assert (per_step[4].inflow, per_step[4].outflow) == (1, 0)
    # Left step 2 after 3, 2 and 0 whole months: the median is 2; step 3 after 2.
    assert (per_step[2].median_months, per_step[3].median_months) == (2, 2)
    assert per_step[4].median_months is None
    assert flows.to_paid_work() == 1
    first, second = Blocker.objects.order_by("name")[:2]
    assert flows.blockers() == [(first, 2), (second, 1)]
    rows, totals, total = flows.matrix()
    assert total == 7
    assert rows[0][:2] == ("in", "Ingestroomd") and rows[0][3] == 3


def test_a_period_counts_only_the_moves_in_its_months(scenario, municipality, consultant, steps):
    flows = ChainFlows(consultant, date(2026, 3, 1), date(2026, 4, 30), municipality)
    assert flows.moves[0] == {("in", steps[2].pk): 2, (steps[2].pk, steps[4].pk): 1}


def test_the_low_median_of_a_histogram():
    assert median_of({0: 1, 2: 1, 3: 1}) == 2
    assert median_of({1: 2, 5: 2}) == 1
    assert median_of({}) is None


def test_the_page_shows_the_figures_and_links_each_to_its_residents(
    client, consultant, scenario, municipality, steps
):
    client.force_login(consultant)
    response = client.get(FLOWS, {**PERIOD, "municipality": municipality.pk})
    assert response.status_code == 200
    text = response.text
    assert "<svg" in text and "Stromen in de keten" in text
    assert "De cijfers worden bij elke wijziging van een dossier bijgewerkt" in text
    query = f"start=2026-01-01&end=2026-11-30&municipality={municipality.pk}"
    into_day = f"{RESIDENTS}?{query}&van=in&naar={steps[2].pk}".replace("&", "&amp;")
    assert f'href="{into_day}">3</a>' in text
    residents = client.get(into_day.replace("&amp;", "&"))
    assert residents.status_code == 200
    names = {placement.client.first_name for placement in residents.context["placements"]}
    assert names == {"Anna", "Bram", "Cees"}


# (the figure's query, the residents behind it), with steps by position and the first blocker.
FIGURES = [
    ({"van": "step2", "naar": "step3"}, {"Anna"}),
    ({"van": "step3", "naar": "paid"}, {"Anna"}),
    ({"van": "step2", "naar": "other"}, {"Bram"}),
    ({"naar": "step2"}, {"Anna", "Bram", "Cees"}),
    ({"van": "step2"}, {"Anna", "Bram", "Cees"}),
    ({"knelpunt": "first"}, {"Anna", "Cees"}),
    ({"van": "in"}, {"Anna", "Bram", "Cees", "Dewi"}),
]


def test_the_residents_behind_each_kind_of_figure(client, manager, scenario, steps):
    _people, blockers = scenario
    client.force_login(manager)
    for figure, expected in FIGURES:
        query = dict(PERIOD)
        for name, value in figure.items():
            if value.startswith("step"):
                value = str(steps[int(value[4:])].pk)
            elif value == "first":
                value = str(blockers[0].pk)
            query[name] = value
        response = client.get(RESIDENTS, query)
        assert response.status_code == 200
        found = {p.client.first_name for p in response.context["placements"]}
        assert found == expected, figure


def test_the_residents_behind_a_figure_page_newest_start_first(
    client, manager, municipality, consultant, steps
):
    day = factories.make_provision(chain_step=2, capacity_places=40)
    starts = [date(2026, 1, 5 + n % 20) for n in range(27)]
    for n, start_on in enumerate(starts):
        resident = factories.make_client(municipality, consultant, first_name=f"R{n:02d}")
        factories.make_plan_ready(resident)
        place(resident, day, start_on)
    client.force_login(manager)
    query = {**PERIOD, "van": "in", "naar": steps[2].pk}
    first = client.get(RESIDENTS, query)
    second = client.get(RESIDENTS, {**query, "page": 2})
    shown = [list(page.context["placements"]) for page in (first, second)]
    assert [len(rows) for rows in shown] == [25, 2]
    assert first.context["page_obj"].paginator.count == 27
    order = [(p.start_on, p.pk) for p in shown[0] + shown[1]]
    assert order == sorted(order, reverse=True)
    assert len({p.pk for p in shown[0] + shown[1]}) == 27
    assert "27 plaatsingen" in first.text and 'rel="next"' in first.text


def test_a_consultant_sees_only_the_residents_and_counts_of_their_municipalities(
    client, consultant, scenario, other_municipality, steps
):
    client.force_login(consultant)
    flows = client.get(FLOWS, PERIOD).context["flows"]
    assert ("in", steps[3].pk) not in flows.moves[0]
    response = client.get(RESIDENTS, {**PERIOD, "naar": steps[3].pk})
    assert {p.client.first_name for p in response.context["placements"]} == {"Anna"}
    # Choosing the other municipality is refused beside the field.
    refused = client.get(FLOWS, {**PERIOD, "municipality": other_municipality.pk})
    assert refused.status_code == 200 and refused.context["flows"] is None
    assert refused.context["filters"].errors["municipality"]


@pytest.mark.parametrize("role", ["social_team_member", "provider"])
@pytest.mark.parametrize("url", [FLOWS, RESIDENTS])
def test_the_flows_are_404_to_social_teams_and_providers(client, request, role, url):
    client.force_login(request.getfixturevalue(role))
    assert client.get(url, {**PERIOD, "van": "in"}).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(FLOWS)
    assert response.status_code == 302 and "/inloggen/" in response["Location"]


@pytest.mark.parametrize(
    "query",
    [{"van": "999999"}, {"naar": "onzin"}, {"knelpunt": "999999"}, {"knelpunt": "x"}, {}],
)
def test_an_unknown_figure_is_not_found(client, manager, query):
    client.force_login(manager)
    assert client.get(RESIDENTS, {**PERIOD, **query}).status_code == 404


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"start": "31-02-2026"}, "start", "Voer een geldige datum in."),
        ({"start": "2026-06-01", "end": "2026-03-01"}, "end", "Het einde van de periode"),
        ({"end": "2099-01-01"}, "end", "De periode kan niet na vandaag eindigen."),
    ],
)
def test_a_bad_period_is_explained_next_to_the_field_and_kept(
    client, manager, query, field, message
):
    client.force_login(manager)
    response = client.get(FLOWS, query)
    assert response.status_code == 200
    assert message in " ".join(response.context["filters"].errors[field])
    assert f'value="{query[field]}"' in response.text


def test_the_pages_keep_their_query_counts_whatever_the_number_of_moves(
    client, manager, scenario, steps, django_assert_max_num_queries
):
    client.force_login(manager)
    with django_assert_max_num_queries(14):
        assert client.get(FLOWS, PERIOD).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(RESIDENTS, {**PERIOD, "naar": steps[2].pk}).status_code == 200


def test_a_blocker_added_to_a_transition_in_the_admin_is_counted(
    client, administrator, scenario, steps
):
    people, blockers = scenario
    transition = people["Cees"].transitions.get()
    client.force_login(administrator)
    url = reverse("admin:trajectories_transition_change", args=[transition.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name not in ("blockers",) and value is not None
    }
    data["blockers"] = [blocker.pk for blocker in blockers]
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert (
        BlockerCount.objects.tally()[
            (
                people["Cees"].municipality_id,
                date(2026, 4, 1),
                steps[2].pk,
                steps[4].pk,
                blockers[1].pk,
            )
        ]
        == 1
    )
