"""The business case: its arithmetic against examples worked out by hand, which tariff is in
force on a day, recording a new figure, the pages per role and their query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from clients.models import AccessLog
from partners.models import OrganisationKind, Role
from provisions.business_case import (
    Assumptions,
    Funder,
    Intensity,
    Option,
    compare,
    option_cost,
)
from provisions.models import Tariff, TariffKind

from . import factories

# Several tests reach the database only through request.getfixturevalue, which pytest-django
# cannot see when it orders tests; unmarked, they would run after the live-server tests have
# emptied the tables (roles included).
pytestmark = pytest.mark.django_db

GROUP = reverse("trajectories:group_business_case")
TARIFFS = reverse("provisions:tariffs")

# The seeded figures (provisions/migrations/0005_tariffs.py), as {kind: value}.
SEEDED = {
    TariffKind.MINIMUM_WAGE: Decimal("27700.00"),
    TariffKind.WAGE_SUBSIDY_CAP: Decimal("70.00"),
    TariffKind.EMPLOYER_COSTS: Decimal("23.00"),
    TariffKind.BESCHUT_SUPERVISION: Decimal("7000.00"),
    TariffKind.BESCHUT_ORGANISATION: Decimal("2000.00"),
    TariffKind.BESCHUT_NATIONAL: Decimal("4000.00"),
    TariffKind.VOLUNTEER_GUIDANCE: Decimal("1500.00"),
    TariffKind.BENEFIT: Decimal("1400.00"),
    TariffKind.WMO_LIGHT: Decimal("35.76"),
    TariffKind.WMO_MIDDLE: Decimal("46.15"),
    TariffKind.WMO_INTENSIVE: Decimal("65.57"),
    TariffKind.WLZ_LIGHT: Decimal("32.00"),
    TariffKind.WLZ_MIDDLE: Decimal("48.50"),
    TariffKind.WLZ_INTENSIVE: Decimal("86.00"),
}
DEFAULTS = Assumptions(intensity=Intensity.MIDDLE, day_parts_per_week=4, wage_value_percent=50)


def tariffs_of(figures):
    """Unsaved tariffs holding these figures, as Tariff.objects.figures_on gives them."""
    percentages = (TariffKind.WAGE_SUBSIDY_CAP, TariffKind.EMPLOYER_COSTS)
    return {
        kind: Tariff(
            kind=kind,
            amount_eur=None if kind in percentages else value,
            percentage=value if kind in percentages else None,
            valid_from=date(2025, 1, 1),
            source="Test",
        )
        for kind, value in figures.items()
    }


# The arithmetic, worked out by hand.


def test_wmo_day_activities_cost_the_wmo_budget_and_the_benefit_is_still_paid():
    cost = option_cost(Option.WMO_DAY_ACTIVITIES, SEEDED, DEFAULTS)
    # 46.15 a day part x 4 day parts a week x 46 weeks = 46.15 x 184 = 8,491.60
    assert cost.costs == {Funder.WMO: Decimal("8491.60")}
    # The benefit: 1,400 a month x 12 = 16,800, still paid.
    assert cost.benefit_paid == Decimal("16800.00")
    assert cost.benefit_saved == 0
    # Net to the municipality: 8,491.60 + 16,800 = 25,291.60
    assert cost.municipality_net == Decimal("25291.60")
    assert cost.total == Decimal("25291.60")


def test_wlz_day_activities_cost_the_municipality_only_the_benefit():
    light = Assumptions(intensity=Intensity.LIGHT, day_parts_per_week=3, wage_value_percent=50)
    cost = option_cost(Option.WLZ_DAY_ACTIVITIES, SEEDED, light)
    # 32.00 x 3 x 46 = 32.00 x 138 = 4,416.00, paid by the zorgkantoor.
    assert cost.costs == {Funder.ZORGKANTOOR: Decimal("4416.00")}
    # The municipality still pays the benefit, 16,800, and nothing else.
    assert cost.municipality_net == Decimal("16800.00")
    # All funders: 4,416 + 16,800 = 21,216
    assert cost.total == Decimal("21216.00")


def test_volunteering_costs_its_guidance_and_the_benefit():
    cost = option_cost(Option.VOLUNTEERING, SEEDED, DEFAULTS)
    # 1,500 guidance + 16,800 benefit = 18,300
    assert cost.costs == {Funder.PARTICIPATIEWET: Decimal("1500.00")}
    assert cost.municipality_net == Decimal("18300.00")


def test_a_garantiebaan_pays_wage_cost_subsidy_and_the_benefit_ends():
    cost = option_cost(Option.GARANTIEBAAN, SEEDED, DEFAULTS)
    # Wage value 50%: subsidy 100% - 50% = 50% (under the 70% cap) of 27,700 = 13,850.00;
    # the allowance for employer costs, 23% of 13,850 = 3,185.50; together 17,035.50.
    # The employer pays the rest of the wage: 27,700 - 13,850 = 13,850.
    assert cost.costs == {
        Funder.PARTICIPATIEWET: Decimal("17035.50"),
        Funder.EMPLOYER: Decimal("13850.00"),
    }
    assert cost.benefit_paid == 0
    assert cost.benefit_saved == Decimal("16800.00")
    assert cost.municipality_net == Decimal("17035.50")


def test_beschut_werk_caps_the_subsidy_and_the_nation_carries_its_contribution():
    low = Assumptions(intensity=Intensity.MIDDLE, day_parts_per_week=4, wage_value_percent=20)
    cost = option_cost(Option.BESCHUT_WERK, SEEDED, low)
    # Wage value 20%: 100% - 20% = 80%, capped at 70%: 0.70 x 27,700 = 19,390.00;
    # allowance 23% of 19,390 = 4,459.70.
    # Supervision 7,000 + organisation 2,000 - the national contribution 4,000 = 5,000.
    # Participatiewet: 19,390 + 4,459.70 + 5,000 = 28,849.70.
    # Employer: 27,700 - 19,390 = 8,310.
    assert cost.costs == {
        Funder.PARTICIPATIEWET: Decimal("28849.70"),
        Funder.NATIONAL: Decimal("4000.00"),
        Funder.EMPLOYER: Decimal("8310.00"),
    }
    # All funders: 28,849.70 + 4,000 + 8,310 = 41,159.70; no benefit paid.
    assert cost.total == Decimal("41159.70")
    assert cost.municipality_net == Decimal("28849.70")


def test_the_difference_with_the_baseline_over_the_horizon_for_a_group():
    comparison = compare(
        tariffs_of(SEEDED), DEFAULTS, Option.WMO_DAY_ACTIVITIES, residents=12, years=3
    )
    beschut = next(c for c in comparison.options if c.option == Option.BESCHUT_WERK)
    # Beschut werk at wage value 50%: 13,850 + 3,185.50 + 5,000 = 22,035.50 a year;
    # Wmo day activities: 25,291.60 (above). Difference: 22,035.50 - 25,291.60 = -3,256.10.
    assert beschut.municipality_net == Decimal("22035.50")
    assert comparison.difference(beschut) == Decimal("-3256.10")
    # For 12 residents over 3 years: -3,256.10 x 36 = -117,219.60
    assert comparison.over_horizon(comparison.difference(beschut)) == Decimal("-117219.60")
    # Net cost of the baseline over the horizon: 25,291.60 x 36 = 910,497.60
    _label, net = comparison.horizon_rows()[1]
    assert net[list(Option).index(Option.WMO_DAY_ACTIVITIES)] == Decimal("910497.60")
    assert comparison.difference(comparison.baseline_cost) == 0


def test_an_option_without_a_tariff_on_the_day_is_not_computed_nor_compared():
    figures = {k: v for k, v in SEEDED.items() if k != TariffKind.BESCHUT_NATIONAL}
    comparison = compare(tariffs_of(figures), DEFAULTS, Option.BESCHUT_WERK)
    beschut = comparison.baseline_cost
    assert beschut.missing == [TariffKind.BESCHUT_NATIONAL]
    assert comparison.differences() == [None] * len(Option)
    wmo_column = [values[0] for _label, values, _strong in comparison.rows()]
    beschut_column = [values[3] for _label, values, _strong in comparison.rows()]
    assert beschut_column == [None] * len(beschut_column)
    assert wmo_column[-2] == Decimal("25291.60")


def test_a_figure_in_the_wrong_field_counts_as_missing():
    """A percentage stored for a kind counted in euros (by hand, the app cannot): no figure, no
    500."""
    tariffs = tariffs_of(SEEDED)
    guidance = tariffs[TariffKind.VOLUNTEER_GUIDANCE]
    guidance.amount_eur, guidance.percentage = None, Decimal(10)
    comparison = compare(tariffs, DEFAULTS, Option.WMO_DAY_ACTIVITIES)
    volunteering = next(c for c in comparison.options if c.option == Option.VOLUNTEERING)
    assert volunteering.missing == [TariffKind.VOLUNTEER_GUIDANCE]
    assert comparison.rows()  # the table still renders


# Which tariff is in force on a day.


def test_the_seeded_tariffs_are_in_force_today_with_their_source():
    figures = Tariff.objects.figures_on(date.today())
    assert {kind: tariff.value for kind, tariff in figures.items()} == SEEDED
    assert "Cedris" in figures[TariffKind.BESCHUT_SUPERVISION].source
    assert figures[TariffKind.BENEFIT].indicative
    assert not figures[TariffKind.WAGE_SUBSIDY_CAP].indicative


def test_a_new_figure_ends_the_one_in_force_the_day_before():
    Tariff(
        kind=TariffKind.WMO_MIDDLE,
        amount_eur=Decimal("50.00"),
        valid_from=date(2026, 7, 1),
        source="Tarieflijst Woerden 2026",
    ).take_effect()
    old, new = Tariff.objects.filter(kind=TariffKind.WMO_MIDDLE).order_by("valid_from")
    assert (old.valid_from, old.valid_until) == (date(2023, 1, 1), date(2026, 6, 30))
    assert (new.valid_from, new.valid_until) == (date(2026, 7, 1), None)

    def middle_on(day):
        tariff = Tariff.objects.figures_on(day).get(TariffKind.WMO_MIDDLE)
        return tariff and tariff.amount_eur

    assert middle_on(date(2022, 12, 31)) is None
    assert middle_on(date(2026, 6, 30)) == Decimal("46.15")
    assert middle_on(date(2026, 7, 1)) == Decimal("50.00")
    assert middle_on(date(2030, 1, 1)) == Decimal("50.00")


def test_a_figure_between_two_splits_the_period_and_one_before_all_runs_up_to_the_first():
    kind = TariffKind.WLZ_LIGHT
    Tariff(kind=kind, amount_eur=Decimal(40), valid_from=date(2026, 1, 1), source="b").take_effect()
    Tariff(kind=kind, amount_eur=Decimal(36), valid_from=date(2024, 1, 1), source="a").take_effect()
    Tariff(kind=kind, amount_eur=Decimal(30), valid_from=date(2018, 1, 1), source="0").take_effect()
    periods = list(
        Tariff.objects.filter(kind=kind)
        .order_by("valid_from")
        .values_list("valid_from", "valid_until", "amount_eur")
    )
    assert periods == [
        (date(2018, 1, 1), date(2018, 12, 31), Decimal("30.00")),
        (date(2019, 1, 1), date(2023, 12, 31), Decimal("32.00")),
        (date(2024, 1, 1), date(2025, 12, 31), Decimal("36.00")),
        (date(2026, 1, 1), None, Decimal("40.00")),
    ]


def test_a_figure_from_the_same_day_corrects_the_one_in_force_and_history_keeps_it():
    kind, start = TariffKind.WMO_LIGHT, date(2027, 1, 1)
    Tariff(kind=kind, amount_eur=Decimal("37.65"), valid_from=start, source="Typfout").take_effect()
    Tariff(kind=kind, amount_eur=Decimal("37.56"), valid_from=start, source="Juist").take_effect()
    tariff = Tariff.objects.get(kind=kind, valid_from=start)
    assert (tariff.amount_eur, tariff.source, tariff.valid_until) == (
        Decimal("37.56"),
        "Juist",
        None,
    )
    assert Tariff.objects.filter(kind=kind).count() == 2
    assert [(h.amount_eur, h.source) for h in tariff.history.order_by("history_date")] == [
        (Decimal("37.65"), "Typfout"),
        (Decimal("37.56"), "Juist"),
    ]


# Recording a new figure in the app.


@pytest.fixture
def new_middle_wmo():
    return reverse("provisions:tariff_new", args=[TariffKind.WMO_MIDDLE])


def test_a_manager_records_a_new_figure_from_a_date(client, manager, new_middle_wmo):
    client.force_login(manager)
    response = client.post(
        new_middle_wmo,
        {"amount_eur": "48,20", "valid_from": "2027-01-01", "source": "Tarieflijst Woerden 2027"},
    )
    assert response.status_code == 302
    assert response["Location"] == TARIFFS
    new = Tariff.objects.get(kind=TariffKind.WMO_MIDDLE, valid_from=date(2027, 1, 1))
    assert new.amount_eur == Decimal("48.20")
    assert new.history.latest().history_user == manager
    page = client.get(TARIFFS)
    assert "Het nieuwe bedrag voor Wmo-dagbesteding, midden geldt vanaf 01-01-2027." in page.text
    assert "01-01-2023 tot en met 31-12-2026" in page.text
    assert "Tarieflijst Woerden 2027" in page.text


def test_bad_input_is_explained_beside_each_field_and_kept(client, manager, new_middle_wmo):
    client.force_login(manager)
    response = client.post(
        new_middle_wmo, {"amount_eur": "veel", "valid_from": "1999-12-31", "source": ""}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["amount_eur"] == ["Voer een getal in."]
    assert errors["valid_from"] == ["Kies een datum vanaf 2000."]
    assert errors["source"] == ["Dit veld is verplicht."]
    assert 'value="veel"' in response.text
    assert 'value="1999-12-31"' in response.text
    assert "Er is nog niets opgeslagen" in response.text
    # The figure in force today stands above the form.
    assert "Geldt vandaag" in response.text
    assert "€ 46,15 per dagdeel, vanaf 01-01-2023" in response.text
    assert not Tariff.objects.filter(valid_from=date(1999, 12, 31)).exists()


def test_a_share_above_a_hundred_percent_is_refused(client, manager):
    client.force_login(manager)
    url = reverse("provisions:tariff_new", args=[TariffKind.WAGE_SUBSIDY_CAP])
    response = client.post(url, {"percentage": "120", "valid_from": "2027-01-01", "source": "x"})
    assert response.status_code == 200
    assert "amount_eur" not in response.context["form"].fields
    assert response.context["form"].errors["percentage"] == [
        "Zorg ervoor dat deze waarde hoogstens 100 is."
    ]
    assert 'value="120"' in response.text


def test_an_unknown_kind_of_tariff_is_not_found(client, manager):
    client.force_login(manager)
    assert client.get(reverse("provisions:tariff_new", args=["onzin"])).status_code == 404


# Who may do what.


@pytest.mark.parametrize("role", ["consultant", "social_team_member"])
def test_only_managers_record_tariffs(client, request, role, new_middle_wmo):
    client.force_login(request.getfixturevalue(role))
    assert client.get(new_middle_wmo).status_code == 404
    data = {"amount_eur": "1", "valid_from": "2027-01-01", "source": "x"}
    assert client.post(new_middle_wmo, data).status_code == 404
    assert not Tariff.objects.filter(valid_from=date(2027, 1, 1)).exists()


@pytest.mark.parametrize("role", ["manager", "consultant", "social_team_member"])
def test_every_role_reads_the_tariffs_only_managers_see_the_new_figure_link(
    client, request, role, new_middle_wmo
):
    client.force_login(request.getfixturevalue(role))
    response = client.get(TARIFFS)
    assert response.status_code == 200
    assert "Wettelijk minimumloon" in response.text
    assert (new_middle_wmo in response.text) == (role == "manager")


def test_the_admin_shows_the_tariffs_but_adds_changes_and_deletes_none(client, administrator):
    """Only the app records a figure (through Tariff.take_effect, which keeps the periods from
    overlapping and puts the figure in the field its kind's unit says)."""
    client.force_login(administrator)
    tariff = Tariff.objects.get(kind=TariffKind.WMO_MIDDLE)
    figure = {
        "kind": TariffKind.WMO_MIDDLE,
        "percentage": "50",
        "valid_from": "2024-01-01",
        "source": "Beheer",
    }
    change = reverse("admin:provisions_tariff_change", args=[tariff.pk])
    assert client.get(reverse("admin:provisions_tariff_changelist")).status_code == 200
    assert client.get(change).status_code == 200
    assert client.get(reverse("admin:provisions_tariff_add")).status_code == 403
    assert client.post(reverse("admin:provisions_tariff_add"), figure).status_code == 403
    assert client.post(change, figure).status_code == 403
    delete = reverse("admin:provisions_tariff_delete", args=[tariff.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert list(Tariff.objects.filter(kind=TariffKind.WMO_MIDDLE)) == [tariff]
    tariff.refresh_from_db()
    assert (tariff.amount_eur, tariff.percentage) == (Decimal("46.15"), None)


def test_the_admin_does_not_revert_a_tariff_to_an_earlier_version(client, administrator):
    tariff = Tariff.objects.get(kind=TariffKind.WMO_MIDDLE)
    tariff.save()  # the seeded figure's first version in its history
    version = tariff.history.latest()
    client.force_login(administrator)
    url = reverse("admin:provisions_tariff_simple_history", args=[tariff.pk, version.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": TariffKind.WMO_MIDDLE,
            "percentage": "50",
            "valid_from": "2024-01-01",
            "source": "Beheer",
        },
    )
    assert response.status_code == 403
    tariff.refresh_from_db()
    assert (tariff.amount_eur, tariff.percentage) == (Decimal("46.15"), None)


def test_a_provider_without_the_tariffs_permission_may_not_read_them(client, municipality):
    outsider = factories.make_user(
        None, factories.make_organisation(kind=OrganisationKind.EMPLOYER)
    )
    client.force_login(outsider)
    assert client.get(TARIFFS).status_code == 403
    assert client.get(GROUP).status_code == 404


@pytest.mark.parametrize("role", ["manager", "consultant"])
def test_werkbedrijf_staff_compare_options_for_a_group(client, request, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(GROUP)
    assert response.status_code == 200
    assert response.context["comparison"] is not None


def test_a_social_team_may_not_compare_a_group(client, social_team_member):
    client.force_login(social_team_member)
    assert client.get(GROUP).status_code == 404


@pytest.fixture
def placed_in_beschut_werk(client_record):
    beschut = factories.make_provision(
        name="Beschut werk productie", chain_step=4, funding_regime="participatiewet"
    )
    factories.make_full_cycle(client_record, beschut)
    return client_record


def test_the_consultant_compares_against_the_residents_placement(
    client, consultant, placed_in_beschut_werk
):
    client.force_login(consultant)
    url = reverse("trajectories:business_case", args=[placed_in_beschut_werk.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].cleaned_data["basis"] == Option.BESCHUT_WERK
    assert "Nu geplaatst: Beschut werk productie (Beschut werk)." in response.text
    assert "nu geplaatst" in response.text
    log = AccessLog.objects.get(client=placed_in_beschut_werk, detail="business case")
    assert log.action == AccessLog.Action.VIEW_CASE
    # The case page links to it.
    assert url in client.get(placed_in_beschut_werk.get_absolute_url()).text


def test_a_user_who_may_not_see_the_resident_gets_not_found(
    client, consultant, social_team_member, client_elsewhere, client_record
):
    client.force_login(consultant)
    elsewhere = reverse("trajectories:business_case", args=[client_elsewhere.pk])
    assert client.get(elsewhere).status_code == 404
    client.force_login(social_team_member)
    own = reverse("trajectories:business_case", args=[client_record.pk])
    assert client.get(own).status_code == 404


def test_a_social_team_reads_a_shared_residents_business_case_without_the_placement(
    client, social_team_member, social_team, placed_in_beschut_werk
):
    factories.make_share(placed_in_beschut_werk, social_team, parts=("summary",))
    client.force_login(social_team_member)
    url = reverse("trajectories:business_case", args=[placed_in_beschut_werk.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["placement"] is None
    assert "Beschut werk productie" not in response.text


def test_a_manager_says_why_before_a_residents_business_case_outside_their_caseload(
    client, manager, client_record
):
    client.force_login(manager)
    url = reverse("trajectories:business_case", args=[client_record.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("trajectories:open_with_reason", args=[client_record.pk]) in response["Location"]


# The group, counted by the database.


@pytest.fixture
def group(municipality, other_municipality, consultant):
    """In Woerden two residents in day activities and one in beschut werk, one of them Kees's;
    in Oudewater one in day activities. All with an open file."""
    kees = factories.make_user(Role.CONSULTANT, username="kees")
    day = factories.make_provision(name="Dagbesteding", chain_step=2)
    beschut = factories.make_provision(
        name="Beschut", chain_step=4, funding_regime="participatiewet"
    )
    for resident_consultant, provision in [(consultant, day), (kees, day), (consultant, beschut)]:
        factories.make_full_cycle(
            factories.make_client(municipality, resident_consultant), provision
        )
    factories.make_full_cycle(factories.make_client(other_municipality), day)
    return {"kees": kees}


def residents_on(client, **query):
    response = client.get(GROUP, query)
    assert response.status_code == 200
    return response.context["comparison"].residents


def test_the_group_is_the_residents_the_user_sees_narrowed_by_the_selection(
    client, consultant, manager, municipality, group
):
    client.force_login(consultant)  # sees Woerden only
    assert residents_on(client) == 3
    assert residents_on(client, trede=2) == 2
    assert residents_on(client, trede=4) == 1
    assert residents_on(client, consulent=group["kees"].pk) == 1
    client.force_login(manager)  # sees the whole region
    assert residents_on(client) == 4
    assert residents_on(client, gemeente=municipality.pk, trede=2) == 2


def test_the_group_multiplies_the_figures_per_resident(client, consultant, group):
    client.force_login(consultant)
    response = client.get(GROUP, {"trede": 2, "horizon": 2, "peildatum": "2026-06-01"})
    comparison = response.context["comparison"]
    wmo = comparison.baseline_cost
    # Two residents over two years: 25,291.60 x 4 = 101,166.40
    assert comparison.over_horizon(wmo.municipality_net) == Decimal("101166.40")
    assert "€ 101.166" in response.text


def test_the_tariffs_of_the_chosen_day_count(client, consultant):
    Tariff(
        kind=TariffKind.WMO_MIDDLE,
        amount_eur=Decimal("50.00"),
        valid_from=date(2026, 7, 1),
        source="Nieuw",
    ).take_effect()
    client.force_login(consultant)
    before = client.get(GROUP, {"peildatum": "2026-06-30"}).context["comparison"]
    after = client.get(GROUP, {"peildatum": "2026-07-01"}).context["comparison"]
    assert before.baseline_cost.costs[Funder.WMO] == Decimal("8491.60")
    # 50.00 x 184 = 9,200.00
    assert after.baseline_cost.costs[Funder.WMO] == Decimal("9200.00")
    assert "Nieuw" in client.get(GROUP, {"peildatum": "2026-07-01"}).text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"horizon": "0"}, "horizon", "Zorg ervoor dat deze waarde minstens 1 is."),
        ({"horizon": ""}, "horizon", "Dit veld is verplicht."),
        ({"peildatum": "gisteren"}, "peildatum", "Voer een geldige datum in."),
        ({"basis": "loterij"}, "basis", "Selecteer een geldige keuze"),
        ({"loonwaarde": "150"}, "loonwaarde", "hoogstens 100 is"),
        ({"trede": "99"}, "trede", "Selecteer een geldige keuze"),
    ],
)
def test_a_bad_choice_is_explained_beside_it_and_kept(client, consultant, query, field, message):
    client.force_login(consultant)
    response = client.get(GROUP, query)
    assert response.status_code == 200
    assert response.context["comparison"] is None
    form = response.context["selection" if field == "trede" else "form"]
    assert message in form.errors[field][0]
    assert "Verbeter de keuzes die hierboven zijn gemarkeerd" in response.text
    value = next(iter(query.values()))
    if value and field not in ("basis", "trede"):
        assert f'value="{value}"' in response.text


def test_the_page_speaks_dutch_and_names_its_sources(client, consultant):
    client.force_login(consultant)
    text = client.get(GROUP).text
    for words in [
        '<h1 class="utrecht-heading-1">Businesscase</h1>',
        "Gemeente: Participatiewet-budget",
        "Zorgkantoor (Wlz)",
        "Uitkering nog betaald door de gemeente",
        "Netto kosten voor de gemeente",
        "Verschil met de basis",
        "Beschut werk",
        "Garantiebaan met loonkostensubsidie",
        "Gebruikte tarieven",
        "Cedris/SBCM-kostenonderzoek beschut werk, 2017",
        "<caption",
        'scope="col"',
        'scope="row"',
    ]:
        assert words in text, words
    assert "migrations" not in text and "docs/" not in text


def test_the_chain_and_system_map_link_to_the_business_case(client, consultant):
    client.force_login(consultant)
    assert GROUP in client.get(reverse("provisions:list")).text
    assert GROUP in client.get(reverse("provisions:system_map")).text


# Query counts, flat whatever the number of residents.


def test_the_group_page_reads_a_fixed_number_of_queries(
    client, manager, group, django_assert_max_num_queries
):
    client.force_login(manager)
    with django_assert_max_num_queries(13):
        assert client.get(GROUP, {"trede": 2}).status_code == 200


def test_the_residents_page_and_the_tariffs_read_a_fixed_number_of_queries(
    client, consultant, manager, placed_in_beschut_werk, django_assert_max_num_queries
):
    client.force_login(consultant)
    url = reverse("trajectories:business_case", args=[placed_in_beschut_werk.pk])
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    client.force_login(manager)
    with django_assert_max_num_queries(10):
        assert client.get(TARIFFS).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("provisions:tariff_new", args=["benefit"])).status_code == 200
