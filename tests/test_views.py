from datetime import date, timedelta

import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse

from partners.models import OrganisationKind
from trajectories.models import Placement

from . import factories

ROLES = ["consultant", "social_team_member", "manager", "administrator"]


@pytest.fixture
def as_user(client, db, request):
    """Log the test client in as the user of the named fixture."""

    def login(fixture_name):
        user = request.getfixturevalue(fixture_name)
        client.force_login(user)
        return user

    return login


@pytest.mark.parametrize(
    "url_name",
    [
        "home",
        "trajectories:mine",
        "trajectories:list",
        "provisions:list",
        "partners:list",
        "reports",
    ],
)
def test_every_page_needs_a_login(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_login_page_is_in_dutch_by_default(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'lang="nl"' in response.text
    assert "Inloggen" in response.text


def test_dutch_stays_the_default_whatever_the_browser_asks_for(client, db):
    response = client.get(reverse("login"), headers={"Accept-Language": "en-US,en;q=0.9"})
    assert 'lang="nl"' in response.text


def test_logging_in_with_a_wrong_password_says_so_in_dutch(client, consultant):
    response = client.post(reverse("login"), {"username": "consulent", "password": "fout"})
    assert response.status_code == 200
    assert "Voer een juiste gebruikersnaam en wachtwoord in" in response.text


def test_logging_in_leads_a_consultant_to_their_caseload(client, consultant, client_record):
    response = client.post(
        reverse("login"), {"username": "consulent", "password": "secret-test-password"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("trajectories:mine")
    assert "Fenna" in response.text


def test_the_header_shows_name_role_and_organisation(client, as_user):
    user = as_user("consultant")
    response = client.get(reverse("trajectories:list"))
    assert user.get_full_name() in response.text
    assert "Klantmanager" in response.text
    assert "Ferm Werk" in response.text


def test_english_can_be_switched_on(client, as_user):
    as_user("consultant")
    response = client.post(reverse("set_language"), {"language": "en", "next": "/clienten/"})
    assert response.status_code == 302
    response = client.get(reverse("trajectories:list"))
    assert 'lang="en"' in response.text
    assert "My clients" in response.text


# The client list and caseload


def test_a_consultant_sees_their_caseload_with_stage(client, as_user, client_record):
    as_user("consultant")
    response = client.get(reverse("trajectories:mine"))
    assert response.status_code == 200
    assert "Dijk, Fenna van" in response.text
    assert "Intake" in response.text


def test_the_caseload_leaves_out_residents_of_other_consultants(client, as_user, municipality):
    as_user("consultant")
    factories.make_client(municipality, first_name="Niet", last_name="Mijn")
    response = client.get(reverse("trajectories:mine"))
    assert "Mijn, Niet" not in response.text


def test_the_client_list_hides_residents_of_municipalities_not_served(
    client, as_user, client_record, client_elsewhere
):
    as_user("consultant")
    response = client.get(reverse("trajectories:list"))
    assert "Dijk, Fenna van" in response.text
    assert "Elders" not in response.text


def test_a_manager_sees_every_resident_with_a_masked_bsn(
    client, as_user, client_record, client_elsewhere
):
    as_user("manager")
    response = client.get(reverse("trajectories:list"))
    assert "Dijk, Fenna van" in response.text
    assert "Elders, Otto" in response.text
    assert client_record.bsn not in response.text
    assert client_record.masked_bsn in response.text


def test_a_consultant_sees_the_full_bsn(client, as_user, client_record):
    as_user("consultant")
    assert client_record.bsn in client.get(reverse("trajectories:list")).text


def test_a_social_team_member_finds_no_shared_cases_until_one_is_shared(
    client, as_user, client_record
):
    as_user("social_team_member")
    assert client.get(reverse("trajectories:list")).status_code == 404
    response = client.get(reverse("trajectories:shared"))
    assert response.status_code == 200
    assert "Dijk" not in response.text
    assert "Er zijn op dit moment geen casussen met uw organisatie gedeeld." in response.text


def test_search_narrows_the_list_and_keeps_the_query(client, as_user, client_record, municipality):
    as_user("consultant")
    factories.make_client(municipality, first_name="Karel", last_name="Bos")
    response = client.get(reverse("trajectories:list"), {"q": "dijk"})
    assert "Dijk, Fenna van" in response.text
    assert "Bos, Karel" not in response.text
    assert 'value="dijk"' in response.text


def test_an_htmx_search_returns_only_the_results(client, as_user, client_record):
    as_user("consultant")
    response = client.get(
        reverse("trajectories:list"), {"q": "fenna"}, headers={"HX-Request": "true"}
    )
    assert response.text.lstrip().startswith('<div id="results">')
    assert "<html" not in response.text
    assert "HX-Request" in response["Vary"]


def test_a_search_without_results_says_so(client, as_user, client_record):
    as_user("consultant")
    response = client.get(reverse("trajectories:list"), {"q": "zzzz"})
    assert "Geen cliënt gevonden" in response.text


def test_a_bad_page_number_shows_the_last_page(client, as_user, client_record):
    as_user("consultant")
    response = client.get(reverse("trajectories:list"), {"page": "999"})
    assert response.status_code == 200
    assert "Dijk, Fenna van" in response.text


@pytest.mark.parametrize("url_name", ["trajectories:list", "trajectories:mine"])
def test_client_lists_take_a_fixed_number_of_queries(
    client, as_user, municipality, django_assert_max_num_queries, url_name
):
    consultant = as_user("consultant")
    provision = factories.make_provision()
    for _ in range(30):
        factories.make_full_cycle(factories.make_client(municipality, consultant), provision)
    # Session, user, the two-factor check, permissions, the page of ids, the page's rows, the
    # filter choices.
    with django_assert_max_num_queries(12):
        response = client.get(reverse(url_name))
    assert response.text.count("utrecht-table__row") == 26  # header + a page of 25


# The client detail page


def test_the_case_page_shows_the_residents_own_words_first(client, as_user, client_record):
    as_user("consultant")
    factories.make_full_cycle(client_record)
    response = client.get(client_record.get_absolute_url())
    assert response.status_code == 200
    text = response.text
    assert text.index("Mijn kinderen") < text.index("Persoonsgegevens")
    assert "Problemen op meerdere leefgebieden." in text  # the why of the category
    assert 'aria-current="step"' in text


@pytest.mark.parametrize("role", ["consultant", "manager", "administrator"])
def test_roles_that_may_see_a_resident_open_the_case_page(client, as_user, client_record, role):
    as_user(role)
    if role != "consultant":
        # Outside their own caseload, after saying why (break the glass).
        factories.give_reason(client, client_record)
    assert client.get(client_record.get_absolute_url()).status_code == 200


def test_a_consultant_gets_404_for_a_resident_of_a_municipality_not_served(
    client, as_user, client_elsewhere
):
    as_user("consultant")
    assert client.get(client_elsewhere.get_absolute_url()).status_code == 404


def test_a_social_team_member_gets_404_for_a_resident_not_shared(client, as_user, client_record):
    as_user("social_team_member")
    assert client.get(client_record.get_absolute_url()).status_code == 404


def test_a_missing_resident_is_404(client, as_user, db):
    as_user("manager")
    assert client.get(reverse("trajectories:case", args=[987654])).status_code == 404


def test_the_case_page_masks_the_bsn_for_managers(client, as_user, client_record):
    as_user("manager")
    factories.give_reason(client, client_record)
    response = client.get(client_record.get_absolute_url())
    assert response.status_code == 200
    assert client_record.bsn not in response.text
    assert client_record.masked_bsn in response.text


def test_the_case_page_takes_a_fixed_number_of_queries(
    client, as_user, client_record, django_assert_max_num_queries
):
    as_user("consultant")
    placement = factories.make_full_cycle(client_record)
    placement.status = Placement.Status.ENDED
    placement.end_on = placement.start_on
    placement.end_reason = Placement.EndReason.TRANSITION
    placement.save()
    for day in range(1, 20):
        factories.make_full_cycle(client_record, on=date(2025, 1, day))
    # Three of them log the visit: the user's role, organisation, and the row; one reads the
    # steps reached in work-learning lines; one the absence providers reported, for all
    # placements at once.
    with django_assert_max_num_queries(23):
        response = client.get(client_record.get_absolute_url())
    assert response.status_code == 200


# Provisions, partners and reports


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_provisions_by_chain_step(client, as_user, provision, role):
    as_user(role)
    response = client.get(reverse("provisions:list"))
    assert response.status_code == 200
    assert "Dagbesteding CAB" in response.text
    assert "(Arbeidsmatige) dagbesteding" in response.text


def test_provisions_can_be_filtered_by_municipality_and_regime(
    client, as_user, provision, other_municipality
):
    as_user("consultant")
    factories.make_provision(name="Werkplaats Oudewater", municipality=other_municipality)
    response = client.get(reverse("provisions:list"), {"gemeente": provision.municipality_id})
    assert "Dagbesteding CAB" in response.text
    assert "Werkplaats Oudewater" not in response.text
    response = client.get(reverse("provisions:list"), {"regime": "wlz"})
    assert "Dagbesteding CAB" not in response.text
    response = client.get(reverse("provisions:list"), {"regime": "onzin", "gemeente": "x"})
    assert response.status_code == 200


def test_the_provision_list_takes_a_fixed_number_of_queries(
    client, as_user, municipality, django_assert_max_num_queries
):
    as_user("consultant")
    for step in range(1, 7):
        for _ in range(4):
            factories.make_provision(chain_step=step, municipality=municipality)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("provisions:list")).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_every_role_opens_a_provision(
    client, as_user, provision, role, django_assert_max_num_queries
):
    as_user(role)
    with django_assert_max_num_queries(8):
        response = client.get(provision.get_absolute_url())
    assert response.status_code == 200
    assert "0 van 10" in response.text


def wait_in_line(provision, *residents):
    """Put residents on the provision's waiting list, first one first."""
    for days, resident in enumerate(residents):
        Placement.objects.create(
            client=resident,
            provision=provision,
            status=Placement.Status.WAITING,
            proposed_on=date(2026, 1, 1) + timedelta(days=days),
        )


def test_the_provision_page_shows_its_waiting_list_in_order(
    client, as_user, provision, client_record, client_elsewhere, municipality
):
    second = factories.make_client(municipality, first_name="Bas", last_name="Tweede")
    wait_in_line(provision, client_record, client_elsewhere, second)
    as_user("consultant")
    page = client.get(reverse("trajectories:waiting_list", args=[provision.pk])).text
    first_at, second_at = page.index("Dijk, Fenna van"), page.index("Tweede, Bas")
    hidden_at = page.index("Een inwoner van wie u de casus niet mag zien")
    assert first_at < hidden_at < second_at
    assert "Elders" not in page


def test_the_waiting_list_names_nobody_to_whom_sees_no_cases(
    client, as_user, provision, client_record
):
    wait_in_line(provision, client_record)
    as_user("social_team_member")
    page = client.get(reverse("trajectories:waiting_list", args=[provision.pk])).text
    assert "Dijk" not in page
    assert "Een inwoner van wie u de casus niet mag zien" in page


def test_a_long_waiting_list_takes_a_fixed_number_of_queries(
    client, as_user, provision, municipality, django_assert_max_num_queries
):
    wait_in_line(provision, *[factories.make_client(municipality) for _ in range(30)])
    as_user("consultant")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("trajectories:waiting_list", args=[provision.pk]))
    assert response.text.count("/clienten/") >= 30


def test_the_provision_page_loads_its_waiting_list_and_keeps_it_out_of_the_history(
    client, as_user, provision, client_record
):
    wait_in_line(provision, client_record)
    as_user("consultant")
    page = client.get(provision.get_absolute_url()).text
    url = reverse("trajectories:waiting_list", args=[provision.pk])
    assert f'hx-get="{url}"' in page and f'href="{url}"' in page
    assert 'hx-history="false"' in page
    assert "1 inwoner wacht." in page
    fragment = client.get(url, headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith('<div id="waiting-list">')
    assert "Dijk, Fenna van" in fragment


def test_a_user_without_a_role_may_not_see_provisions(client, provision):
    client.force_login(factories.make_user())
    assert client.get(reverse("provisions:list")).status_code == 403
    assert client.get(reverse("partners:list")).status_code == 403


def test_a_missing_provision_is_404(client, as_user, db):
    as_user("consultant")
    assert client.get(reverse("provisions:detail", args=[424242])).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_chain_partners(
    client, as_user, provision, role, django_assert_max_num_queries
):
    as_user(role)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("partners:list"))
    assert response.status_code == 200
    assert "Ferm Werk" in response.text


def test_partners_can_be_filtered_by_kind(client, as_user, social_team):
    as_user("consultant")
    response = client.get(reverse("partners:list"), {"soort": OrganisationKind.SOCIAL_TEAM})
    assert ">Sociaal team Woerden</a>" in response.text
    assert ">Ferm Werk</a>" not in response.text


@pytest.mark.parametrize("role", ROLES)
def test_every_role_opens_a_partner(
    client, as_user, provision, role, django_assert_max_num_queries
):
    as_user(role)
    # Its provisions, contacts, covenant agreements (with their documents) and staff.
    with django_assert_max_num_queries(13):
        response = client.get(provision.provider.get_absolute_url())
    assert response.status_code == 200
    assert "Dagbesteding CAB" in response.text


def test_a_missing_partner_is_404(client, as_user, db):
    as_user("consultant")
    assert client.get(reverse("partners:detail", args=[424242])).status_code == 404


@pytest.mark.parametrize("role", ["manager", "administrator"])
def test_managers_read_the_reports(
    client, as_user, client_record, role, django_assert_max_num_queries
):
    as_user(role)
    factories.make_full_cycle(client_record)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("reports"))
    assert response.status_code == 200
    assert "Herbeoordeling" in response.text


@pytest.mark.parametrize("role", ["consultant", "social_team_member"])
def test_reports_are_404_for_other_roles(client, as_user, role):
    as_user(role)
    assert client.get(reverse("reports")).status_code == 404


def test_the_reports_link_shows_only_for_managers(client, as_user, db):
    as_user("consultant")
    assert reverse("reports") not in client.get(reverse("trajectories:list")).text


def test_a_404_page_is_dutch_and_keeps_the_layout(client, as_user, settings):
    settings.DEBUG = False
    as_user("consultant")
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.text
    assert "Hoofdnavigatie" in response.text


def test_a_long_list_counts_no_further_than_the_cap(client, as_user, municipality, monkeypatch):
    monkeypatch.setattr("trajectories.views.PAGE_SIZE", 2)
    monkeypatch.setattr("trajectories.views.COUNT_CAP", 5)
    as_user("manager")
    for _ in range(7):
        factories.make_client(municipality)
    response = client.get(reverse("trajectories:list"))
    assert "Meer dan 5 cliënten" in response.text
    assert "Pagina 1" in response.text
    assert "Pagina 1 van" not in response.text


def test_the_waiting_list_of_a_missing_provision_is_404(client, as_user, db):
    as_user("consultant")
    url = reverse("trajectories:waiting_list", args=[424242])
    assert client.get(url).status_code == 404


def test_a_user_without_a_role_may_not_see_a_waiting_list(client, provision, client_record):
    wait_in_line(provision, client_record)
    client.force_login(factories.make_user())
    response = client.get(reverse("trajectories:waiting_list", args=[provision.pk]))
    assert response.status_code == 403
    assert "Dijk" not in response.text


@pytest.mark.parametrize("widget", [forms.RadioSelect, forms.CheckboxSelectMultiple])
def test_the_form_field_writes_each_option_as_djangos_own_widget_would(widget):
    class Choosing(forms.Form):
        choice = forms.ChoiceField(
            choices=[("a", "Een"), ("b", "Twee")],
            widget=widget(attrs={"data-kind": "keuze"}),
            help_text="Kies er een.",
        )

    field = Choosing({"choice": "b"})["choice"]
    rendered = render_to_string("form_field.html", {"field": field})
    for option in field:
        assert str(option.tag()) in rendered
    assert 'value="b" data-kind="keuze"' in rendered
    assert rendered.count("checked") == 1
