"""Paging through the client lists: the links lead to the next page and keep the filters."""

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse
from playwright.sync_api import expect

from clients.models import Client
from partners.models import Role

from . import factories

PAGE_SIZE = 25


class Links(HTMLParser):
    """The links of a page: the residents it lists, and its previous and next links."""

    def __init__(self):
        super().__init__()
        self.residents = []
        self.rel = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag != "a" or "href" not in attrs:
            return
        if attrs.get("rel"):
            self.rel[attrs["rel"]] = attrs["href"]
            return
        try:
            match = resolve(attrs["href"])
        except Resolver404:
            return
        if match.view_name == "trajectories:case":
            self.residents.append(match.kwargs["pk"])


def links(response):
    parser = Links()
    parser.feed(response.text)
    return parser


def follow(http, response, rel):
    """Follow the page's previous or next link exactly as the HTML writes it."""
    href = links(response).rel[rel]
    url = urljoin(response.wsgi_request.build_absolute_uri(), href)
    return http.get(url)


@pytest.fixture
def residents(municipality, consultant):
    """A page and a bit of Woerden residents in the consultant's caseload."""
    return [factories.make_client(municipality, consultant) for _ in range(PAGE_SIZE + 5)]


@pytest.fixture
def residents_elsewhere(werkbedrijf, consultant):
    """Residents the consultant sees, of a municipality a filter on Woerden leaves out.

    Their names sort after the Woerden residents: a second page that lost the filter shows them.
    """
    montfoort = factories.make_municipality("Montfoort", "GM0335")
    werkbedrijf.municipalities.add(montfoort)
    return [
        factories.make_client(montfoort, consultant, last_name=f"Zwart{number}")
        for number in range(3)
    ]


def test_the_next_link_leads_to_the_next_page_and_keeps_the_filter(
    client, consultant, municipality, residents, residents_elsewhere
):
    client.force_login(consultant)
    first = client.get(reverse("trajectories:list"), {"municipality": municipality.pk})
    on_first = links(first).residents
    assert len(on_first) == PAGE_SIZE

    second = follow(client, first, "next")
    assert second.status_code == 200
    assert parse_qs(urlsplit(second.wsgi_request.get_full_path()).query) == {
        "municipality": [str(municipality.pk)],
        "page": ["2"],
    }
    on_second = links(second).residents
    assert on_second, "the second page lists residents"
    assert not set(on_first) & set(on_second), "the second page shows other residents"
    assert set(on_first) | set(on_second) == {resident.pk for resident in residents}

    back = follow(client, second, "prev")
    assert links(back).residents == on_first
    assert back.wsgi_request.GET["municipality"] == str(municipality.pk)


def test_the_caseload_pages_on_without_a_filter(client, consultant, residents):
    client.force_login(consultant)
    first = client.get(reverse("trajectories:mine"))
    second = follow(client, first, "next")
    on_first, on_second = links(first).residents, links(second).residents
    assert len(on_first) == PAGE_SIZE
    assert len(on_second) == len(residents) - PAGE_SIZE
    assert not set(on_first) & set(on_second)


def test_the_caseload_pages_through_one_stage_and_category_in_name_order(
    client, consultant, werkbedrijf, municipality
):
    provision = factories.make_provision()
    colleague = factories.make_user(Role.CONSULTANT, werkbedrijf)
    placed = {}
    # Placed in another order than the names', so the list's order is its own.
    for number in reversed(range(PAGE_SIZE + 3)):
        resident = factories.make_client(municipality, consultant, last_name=f"Naam{number:02d}")
        factories.make_full_cycle(resident, provision)
        placed[resident.pk] = number
    # Between them in the names: one in another stage, one in a colleague's caseload.
    factories.make_client(municipality, consultant, last_name="Naam00a")
    other = factories.make_client(municipality, colleague, last_name="Naam00b")
    factories.make_full_cycle(other, provision)
    client.force_login(consultant)
    first = client.get(reverse("trajectories:mine"), {"stage": "reevaluation", "category": 3})
    second = follow(client, first, "next")
    shown = links(first).residents + links(second).residents
    assert [placed.get(pk) for pk in shown] == list(range(PAGE_SIZE + 3))
    assert len(links(first).residents) == PAGE_SIZE
    assert "28 cliënten" in first.text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("restore_migrated_data")
def test_a_consultant_pages_forward_and_back_through_a_filtered_list(
    logged_in, live_server, consultant, municipality, residents, residents_elsewhere
):
    ordered = list(Client.objects.filter(municipality=municipality))
    first, last = ordered[0].sort_name, ordered[-1].sort_name
    filtered = re.compile(rf"[?&]municipality={municipality.pk}(&|$)")
    page = logged_in(consultant.username)
    page.goto(live_server.url + reverse("trajectories:list"))
    page.get_by_label("Gemeente").select_option(label=str(municipality))
    expect(page).to_have_url(filtered)
    expect(page.get_by_role("link", name=first, exact=True)).to_be_visible()

    page.get_by_role("link", name="Volgende").click()
    expect(page).to_have_url(re.compile(r"[?&]page=2$"))
    expect(page).to_have_url(filtered)
    expect(page.get_by_role("link", name=last, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=first, exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Zwart"))).to_have_count(0)
    expect(page.get_by_label("Gemeente")).to_have_value(str(municipality.pk))

    page.get_by_role("link", name="Vorige").click()
    expect(page).to_have_url(re.compile(r"[?&]page=1$"))
    expect(page).to_have_url(filtered)
    expect(page.get_by_role("link", name=first, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=last, exact=True)).to_have_count(0)
