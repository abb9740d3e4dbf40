"""The chain page: every step in order with its provisions, their waiting lists and how long
people wait, filtered through the URL."""

from datetime import date, timedelta
from decimal import Decimal

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
    # Of four, of the two in the middle the one waiting longer: put on the list 30 days ago.
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


SYSTEM_MAP = reverse("provisions:system_map")


@pytest.fixture
def day_activities_and_work(municipality):
    """Step 2: two Wmo day activities (EUR 6,579.84 and 12,064.88 a place, 10 and 20 places)
    and one Wlz (EUR 8,924.00, 5 places); step 4: one beschut werk without a figure and one at
    EUR 20,000 (8 and 12 places)."""
    make = factories.make_provision
    make(chain_step=2, capacity_places=10, cost_per_place_per_year_eur="6579.84")
    make(chain_step=2, capacity_places=20, cost_per_place_per_year_eur="12064.88")
    make(chain_step=2, capacity_places=5, funding_regime="wlz", cost_per_place_per_year_eur="8924")
    make(chain_step=4, capacity_places=8, funding_regime="participatiewet")
    make(
        chain_step=4,
        capacity_places=12,
        funding_regime="participatiewet",
        cost_per_place_per_year_eur="20000",
    )


def test_the_system_map_counts_each_kind_of_provision_by_hand(day_activities_and_work):
    kinds = [
        (k.position, k.regime, k.provisions, k.places, k.priced, k.lowest_cost, k.highest_cost)
        for k in Provision.objects.kinds()
    ]
    # Within a step in the order the regimes are listed: Wmo before Wlz.
    assert kinds == [
        (2, "wmo", 2, 30, 2, Decimal("6579.84"), Decimal("12064.88")),
        (2, "wlz", 1, 5, 1, Decimal("8924.00"), Decimal("8924.00")),
        (4, "participatiewet", 2, 20, 1, Decimal("20000.00"), Decimal("20000.00")),
    ]


@pytest.mark.parametrize("role", ["consultant", "social_team_member", "manager", "administrator"])
def test_every_role_reads_who_decides_and_who_pays(
    client, request, day_activities_and_work, role, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(role))
    with django_assert_max_num_queries(8):
        page = client.get(SYSTEM_MAP).text
    assert "Het stelsel in kaart" in page
    regimes = page[page.index("Wie beslist en wie betaalt") :]
    wmo = regimes[regimes.index(">Wmo 2015<") :]
    assert wmo.index("De gemeente, met een besluit over een maatwerkvoorziening") < wmo.index(
        "De gemeente, uit haar Wmo-budget (sociaal domein)"
    )
    wlz = regimes[regimes.index(">Wlz<") :]
    assert wlz.index("Het CIZ, met een indicatiebesluit") < wlz.index(
        "De Wlz, via het zorgkantoor: de gemeente betaalt niets"
    )
    kinds = page[page.index("Soorten voorzieningen per trede") :]
    rows = kinds.split("<tr")[2:]
    assert ">Wmo 2015<" in rows[0] and ">30<" in rows[0] and "€ 6.580 – € 12.065" in rows[0]
    assert ">Wlz<" in rows[1] and ">5<" in rows[1] and "€ 8.924" in rows[1]
    assert ">Participatiewet<" in rows[2] and ">20<" in rows[2]
    assert '€ 20.000<br><span class="muted">1 van 2 met een bedrag</span>' in rows[2]


def test_the_system_map_needs_a_role(client, provision):
    client.force_login(factories.make_user())
    assert client.get(SYSTEM_MAP).status_code == 403
    client.logout()
    assert client.get(SYSTEM_MAP).status_code == 302


def test_the_chain_page_links_to_the_system_map(client, consultant):
    client.force_login(consultant)
    assert f'href="{SYSTEM_MAP}"' in client.get(CHAIN).text
