"""The chain page: every step in order with its provisions, their waiting lists and how long
people wait, filtered through the URL."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from provisions.models import Provision
from trajectories.models import Placement

from . import factories

CHAIN = reverse("provisions:list")


@pytest.fixture
def woerden_and_oudewater(provision, other_municipality):
    """Day activities in Woerden (Wmo, societal), a work placement in Oudewater (Participatiewet,
    economic) and a region-wide buddy project (Wmo, social)."""
    oudewater = factories.make_provision(
        name="Werkplaats Oudewater",
        chain_step=4,
        municipality=other_municipality,
        funding_regime="participatiewet",
        participation="economic",
    )
    region = factories.make_provision(name="Maatjesproject regio", participation="social")
    return provision, oudewater, region


def names_on(response):
    return [
        name
        for name in ("Dagbesteding CAB", "Werkplaats Oudewater", "Maatjesproject regio")
        if name in response.text
    ]


def test_the_filters_narrow_the_chain_and_region_wide_provisions_stay(
    client, consultant, municipality, woerden_and_oudewater
):
    client.force_login(consultant)
    assert names_on(client.get(CHAIN)) == [
        "Dagbesteding CAB",
        "Werkplaats Oudewater",
        "Maatjesproject regio",
    ]
    assert names_on(client.get(CHAIN, {"gemeente": municipality.pk})) == [
        "Dagbesteding CAB",
        "Maatjesproject regio",
    ]
    assert names_on(client.get(CHAIN, {"regime": "participatiewet"})) == ["Werkplaats Oudewater"]
    assert names_on(client.get(CHAIN, {"vorm": "social"})) == ["Maatjesproject regio"]
    both = client.get(CHAIN, {"gemeente": municipality.pk, "vorm": "societal"})
    assert names_on(both) == ["Dagbesteding CAB"]
    # The filters stay chosen, so the URL is the page.
    assert f'<option value="{municipality.pk}" selected>' in both.text
    assert '<option value="societal" selected>' in both.text
    assert "Filters wissen" in both.text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"gemeente": "x"}, "gemeente"),
        ({"gemeente": "99999999999999999999"}, "gemeente"),
        ({"gemeente": "424242"}, "gemeente"),
        ({"regime": "onzin"}, "regime"),
        ({"vorm": "<b>onzin</b>"}, "vorm"),
    ],
)
def test_a_bad_filter_is_explained_next_to_it_and_the_whole_chain_is_shown(
    client, consultant, woerden_and_oudewater, query, field
):
    client.force_login(consultant)
    response = client.get(CHAIN, {**query, "regime": query.get("regime", "wmo")})
    assert response.status_code == 200
    assert "Selecteer een geldige keuze" in response.context["filters"].errors[field][0]
    assert "Selecteer een geldige keuze" in response.text
    assert "Verbeter de gemarkeerde filters; tot dan staat de hele keten hier." in response.text
    assert len(names_on(response)) == 3
    assert "<b>onzin</b>" not in response.text


def wait(provision, days_ago, municipality):
    resident = factories.make_client(municipality)
    return Placement.objects.create(
        client=resident,
        provision=provision,
        status=Placement.Status.WAITING,
        proposed_on=date.today() - timedelta(days=days_ago),
    )


def test_the_median_waiting_time_follows_the_waiting_list(client, manager, provision, municipality):
    waiting = [wait(provision, days, municipality) for days in (40, 30, 20, 10)]
    client.force_login(manager)
    provision.refresh_from_db()
    # Of four, the lower middle one by waiting time: put on the list 30 days ago.
    assert provision.waiting_count == 4
    assert provision.median_waiting_days() == 30
    row = client.get(CHAIN).text
    assert "30 dagen" in row
    assert "30 dagen" in client.get(provision.get_absolute_url()).text

    waiting[0].delete()  # the longest waiting left the list
    provision.refresh_from_db()
    assert provision.median_waiting_days() == 20
    for placement in waiting[1:]:
        placement.delete()
    provision.refresh_from_db()
    assert provision.median_waiting_since is None
    assert provision.median_waiting_days() is None


def test_a_day_passes_and_the_wait_grows(provision, municipality):
    wait(provision, 3, municipality)
    provision = Provision.objects.get(pk=provision.pk)
    assert provision.median_waiting_days() == 3
    assert provision.median_waiting_days(today=date.today() + timedelta(days=1)) == 4


def test_the_chain_keeps_its_query_count_with_long_waiting_lists(
    client, manager, municipality, django_assert_max_num_queries
):
    for step in range(1, 7):
        provision = factories.make_provision(chain_step=step, municipality=municipality)
        for days in range(5):
            wait(provision, days, municipality)
    client.force_login(manager)
    # Ten, and one to check the municipality chosen exists.
    with django_assert_max_num_queries(11):
        response = client.get(CHAIN, {"gemeente": municipality.pk, "regime": "wmo"})
    assert response.status_code == 200
    assert response.text.count("2 dagen") == 6
