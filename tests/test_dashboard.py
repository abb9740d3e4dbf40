"""The managers' dashboard and period report: every figure against residents counted by hand,
the filters and their errors, the CSV, the PDF and who may see any of it."""

import csv
import io
import re
import subprocess
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import Role
from trajectories.dashboard import Dashboard, Figure
from trajectories.models import Case, CaseCount, FlowCount, Placement

from . import factories
from .test_case_summary import text_of

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-01-01", "end": "2026-03-31"}


@pytest.fixture
def kees(werkbedrijf):
    return factories.make_user(Role.CONSULTANT, werkbedrijf, username="kees", first_name="Kees")


@pytest.fixture
def region(municipality, other_municipality, consultant, kees):
    """In Woerden: Anna placed at chain step 1 in January and Bram at step 4 (beschut werk)
    in February, both of the consultant's caseload and both with their re-evaluation overdue
    since the summer; Cor, Kees's, ready since March with a proposal stalled since June. In
    Oudewater: Dirk, just registered, no consultant. Every assessment puts them on rung 2,
    every diagnosis in category 3."""
    linde = factories.make_provision(name="Buurtkamer <b>De Linde</b>", chain_step=1)
    beschut = factories.make_provision(name="Beschut werk Productie", chain_step=4)
    anna = factories.make_client(municipality, consultant)
    factories.make_full_cycle(anna, linde, on=date(2026, 1, 5))
    bram = factories.make_client(municipality, consultant)
    factories.make_full_cycle(bram, beschut, on=date(2026, 2, 10))
    cor = factories.make_client(municipality, kees)
    factories.make_plan_ready(cor, on=date(2026, 3, 2))
    Placement.objects.create(
        client=cor, provision=linde, status=Placement.Status.PROPOSED, proposed_on=date(2026, 6, 1)
    )
    factories.make_client(other_municipality)
    return {"linde": linde, "beschut": beschut}


@pytest.fixture
def late_around_the_turn_of_the_month(municipality, other_municipality, consultant, kees):
    """Re-evaluations falling due and proposals made on the days around the turns of October,
    November and December 2026, spread over the consultants, municipalities and chain steps.

    Re-evaluations: 31 October (the consultant's, Woerden, step 1), 1 November (Kees's,
    Woerden, step 4), 15 November (the consultant's, Oudewater, step 4), 30 November (no
    consultant, Oudewater, step 1), 1 December (the consultant's, Woerden, step 1).
    Proposals: 31 October (Kees's, Woerden), 1 November (the consultant's, Oudewater), 16
    November (Kees's, Oudewater) and 17 November (the consultant's, Woerden, placed at step 1
    with a re-evaluation due next June)."""
    linde = factories.make_provision(name="Buurtkamer De Linde", chain_step=1)
    beschut = factories.make_provision(name="Beschut werk Productie", chain_step=4)

    def placed(where, who, provision, due_on):
        resident = factories.make_client(where, who)
        factories.make_plan_ready(resident)
        Placement.objects.create(
            client=resident,
            provision=provision,
            status=Placement.Status.ACTIVE,
            proposed_on=date(2026, 2, 1),
            start_on=date(2026, 2, 1),
            reevaluation_due_on=due_on,
        )
        return resident

    def proposed(where, who, on, resident=None):
        if resident is None:
            resident = factories.make_client(where, who)
            factories.make_plan_ready(resident)
        Placement.objects.create(
            client=resident, provision=beschut, status=Placement.Status.PROPOSED, proposed_on=on
        )

    placed(municipality, consultant, linde, date(2026, 10, 31))
    placed(municipality, kees, beschut, date(2026, 11, 1))
    placed(other_municipality, consultant, beschut, date(2026, 11, 15))
    placed(other_municipality, None, linde, date(2026, 11, 30))
    placed(municipality, consultant, linde, date(2026, 12, 1))
    proposed(municipality, kees, date(2026, 10, 31))
    proposed(other_municipality, consultant, date(2026, 11, 1))
    proposed(other_municipality, kees, date(2026, 11, 16))
    moving = placed(municipality, consultant, linde, date(2027, 6, 1))
    proposed(municipality, consultant, date(2026, 11, 17), resident=moving)


def figure_csv(client, key, **filters):
    response = client.get(reverse("report_csv"), {"figure": key, **PERIOD, **filters})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_counts_of_today_by_stage_category_rung_municipality_and_chain_step(
    client, manager, region
):
    client.force_login(manager)
    assert figure_csv(client, "stage") == [
        ["Fase", "Inwoners"],
        ["Intake", "1"],
        ["Diagnose", "0"],
        ["Plan van aanpak", "0"],
        ["Plaatsing", "1"],
        ["Herbeoordeling", "2"],
    ]
    category = dict(figure_csv(client, "category")[1:])
    assert category["3. Ontwikkelbaar"] == "3"
    assert category["Nog geen diagnose"] == "1"
    assert sum(int(n) for n in category.values()) == 4
    rung = dict(figure_csv(client, "rung")[1:])
    assert rung["2. Sociale contacten buiten de deur"] == "3"
    assert rung["Nog niet beoordeeld"] == "1"
    assert sum(int(n) for n in rung.values()) == 4
    assert figure_csv(client, "municipality")[1:] == [["Oudewater", "1"], ["Woerden", "3"]]
    step = dict(figure_csv(client, "chain_step")[1:])
    assert step["Sociale netwerken"] == "1"
    assert step["Beschut werk"] == "1"
    assert step["Geen actieve plaatsing"] == "2"
    assert sum(int(n) for n in step.values()) == 4


def test_flows_long_term_attention_and_provisions(client, manager, region, consultant, kees):
    client.force_login(manager)
    assert figure_csv(client, "flow") == [
        ["Maand", "Ingestroomd", "Uitgestroomd naar betaald werk", "Anders uitgestroomd"],
        ["januari 2026", "1", "0", "0"],
        ["februari 2026", "1", "0", "0"],
        ["maart 2026", "1", "0", "0"],
    ]
    assert figure_csv(client, "long_term")[1:] == [["Langer dan 2 jaar", "0"], ["Korter", "3"]]
    attention = figure_csv(client, "attention")[1:]
    assert sorted(attention) == sorted([[str(kees), "0", "1"], [str(consultant), "2", "0"]])
    assert figure_csv(client, "provisions") == [
        ["Voorziening", "Bezette plaatsen", "Capaciteit (plaatsen)", "Op de wachtlijst"],
        # Anna's place, and the one Cor's proposal holds.
        ["Buurtkamer <b>De Linde</b>", "2", "10", "0"],
        ["Beschut werk Productie", "1", "10", "0"],
    ]
    # No one was assessed twice, so no one moved on the ladder.
    assert figure_csv(client, "ladder") == [["Beweging", "Inwoners"]]


def test_the_filters_narrow_every_figure(client, manager, region, municipality, kees):
    client.force_login(manager)
    woerden = dict(figure_csv(client, "stage", municipality=municipality.pk)[1:])
    assert woerden == {
        "Intake": "0",
        "Diagnose": "0",
        "Plan van aanpak": "0",
        "Plaatsing": "1",
        "Herbeoordeling": "2",
    }
    of_kees = figure_csv(client, "flow", consultant=kees.pk)
    assert [row[1] for row in of_kees[1:]] == ["0", "0", "1"]
    assert figure_csv(client, "attention", consultant=kees.pk)[1:] == [[str(kees), "0", "1"]]
    beschut = figure_csv(client, "chain_step", chain_step=4)
    assert dict(beschut[1:])["Beschut werk"] == "1"
    assert sum(int(row[1]) for row in beschut[1:]) == 1
    assert figure_csv(client, "provisions", chain_step=4)[1:] == [
        ["Beschut werk Productie", "1", "10", "0"]
    ]


@pytest.mark.parametrize(
    "today, kees_late, consultant_late, no_consultant_late",
    [
        # The first of the month: only whole months are late, the stall limit (17 November)
        # in the month before.
        (date(2026, 12, 1), [1, 2], [2, 1], [1, 0]),
        (date(2026, 12, 2), [1, 2], [3, 2], [1, 0]),
        (date(2026, 11, 30), [1, 1], [2, 1], None),
        (date(2026, 11, 15), [1, 1], [1, 0], None),
        (date(2026, 11, 2), [1, 0], [1, 0], None),
        (date(2026, 11, 1), None, [1, 0], None),
        (date(2026, 10, 31), None, None, None),
    ],
)
def test_overdue_and_stalled_are_counted_to_the_day_across_the_turn_of_a_month(
    manager,
    consultant,
    kees,
    late_around_the_turn_of_the_month,
    today,
    kees_late,
    consultant_late,
    no_consultant_late,
):
    """A re-evaluation due before today is overdue; a proposal made more than fourteen days
    before today has stalled: counted by hand for each day."""
    dashboard = Dashboard(manager, start=date(2026, 1, 1), end=date(2026, 3, 31))
    dashboard.today = today
    expected = [
        (str(person), late)
        for person, late in [(kees, kees_late), (consultant, consultant_late)]
        if late
    ]
    if no_consultant_late:
        expected.append(("Geen klantmanager", no_consultant_late))
    rows = [(str(label), late) for label, late in dashboard.by_attention().rows]
    assert rows == expected


@pytest.mark.parametrize(
    "filters, kees_late, consultant_late, no_consultant_late",
    [
        ({"municipality": "woerden"}, [1, 1], [2, 1], None),
        ({"municipality": "oudewater"}, [0, 1], [1, 1], [1, 0]),
        ({"consultant": "kees"}, [1, 2], None, None),
        ({"chain_step": 4}, [1, 0], [1, 0], None),
        ({"chain_step": 1}, None, [2, 1], [1, 0]),
    ],
)
def test_overdue_and_stalled_are_narrowed_by_every_filter(
    manager,
    municipality,
    other_municipality,
    consultant,
    kees,
    late_around_the_turn_of_the_month,
    filters,
    kees_late,
    consultant_late,
    no_consultant_late,
):
    from provisions.models import ChainStep

    named = {"woerden": municipality, "oudewater": other_municipality, "kees": kees}
    narrow = {
        name: ChainStep.objects.get(position=value) if name == "chain_step" else named[value]
        for name, value in filters.items()
    }
    dashboard = Dashboard(manager, start=date(2026, 1, 1), end=date(2026, 3, 31), **narrow)
    dashboard.today = date(2026, 12, 2)
    expected = [
        (str(person), late)
        for person, late in [(kees, kees_late), (consultant, consultant_late)]
        if late
    ]
    if no_consultant_late:
        expected.append(("Geen klantmanager", no_consultant_late))
    rows = [(str(label), late) for label, late in dashboard.by_attention().rows]
    assert rows == expected


def test_overdue_and_stalled_are_read_from_the_counts_and_no_case(
    manager, late_around_the_turn_of_the_month
):
    dashboard = Dashboard(manager, start=date(2026, 1, 1), end=date(2026, 3, 31))
    dashboard.today = date(2026, 12, 2)
    with CaptureQueriesContext(connection) as queries:
        dashboard.by_attention()
    assert len(queries) == 2  # the counts, the consultants' names
    assert not any('"trajectories_case"' in query["sql"] for query in queries)


def test_the_page_shows_each_chart_beside_its_table_and_a_csv_link_that_keeps_the_filters(
    client, manager, region, municipality, django_assert_max_num_queries
):
    client.force_login(manager)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("reports"), {**PERIOD, "municipality": municipality.pk})
    assert response.status_code == 200
    page = response.text
    for key in Dashboard.KEYS:
        assert f'id="figure-{key}"' in page
        csv_url = reverse("report_csv")
        assert (
            f'href="{csv_url}?figure={key}&amp;start=2026-01-01&amp;end=2026-03-31&amp;'
            "municipality=" in page
        )
    assert page.count("<svg") == len(Dashboard.KEYS)
    assert "Periode: 1 januari 2026 tot en met 31 maart 2026." in page
    # Kept in the same transaction as every change, the counts are as fresh as the page.
    assert re.search(
        r"De cijfers worden bij elke wijziging van een dossier bijgewerkt: dit zijn die van "
        r"\d{1,2} [a-z]+ \d{4}, \d\d:\d\d\.",
        page,
    )
    # What was typed into the records is text in the chart and the table, never markup.
    assert "<b>De Linde</b>" not in page
    assert "Buurtkamer &lt;b&gt;De Linde&lt;/b&gt;" in page
    # The page's CSP allows no style attributes: the chart is drawn with attributes alone.
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "style=" not in svg and "<style" not in svg
    assert 'href="/exporteren/"' in page


def test_the_dashboard_query_count_does_not_grow_with_the_residents(
    client, manager, region, municipality, django_assert_max_num_queries
):
    client.force_login(manager)
    client.get(reverse("reports"))
    for _ in range(20):
        factories.make_full_cycle(factories.make_client(municipality), region["linde"])
    with django_assert_max_num_queries(30):
        assert client.get(reverse("reports")).status_code == 200


def test_an_empty_period_is_the_last_twelve_months(manager):
    form_today = date.today()
    dashboard = Dashboard(manager, start=date(2026, 1, 1), end=form_today)
    assert dashboard.end == form_today
    from trajectories.forms import DashboardFilterForm

    form = DashboardFilterForm(manager, {})
    assert form.is_valid(), form.errors
    start = form.cleaned_data["start"]
    assert start.day == 1 and form.cleaned_data["end"] == form_today
    assert (form_today.year - start.year) * 12 + form_today.month - start.month == 11


@pytest.mark.parametrize(
    "filters, field, message",
    [
        ({"start": "31-02-2026"}, "start", "Voer een geldige datum in."),
        ({"start": "gisteren"}, "start", "Voer een geldige datum in."),
        ({"end": "2099-01-01"}, "end", "De periode kan niet na vandaag eindigen."),
        (
            {"start": "2026-03-01", "end": "2026-02-01"},
            "end",
            "Het einde van de periode ligt voor het begin.",
        ),
        (
            {"start": "2020-01-01", "end": "2026-01-01"},
            "start",
            "Kies een periode van hoogstens 36 maanden.",
        ),
        ({"end": "0001-03-01"}, "end", "Kies een datum vanaf 2000."),
        ({"start": "1999-12-31"}, "start", "Kies een datum vanaf 2000."),
        ({"municipality": "999999"}, "municipality", "Selecteer een geldige keuze."),
        ({"chain_step": "x"}, "chain_step", "Selecteer een geldige keuze."),
    ],
)
def test_bad_filters_are_refused_next_to_the_field_and_kept(
    client, manager, filters, field, message
):
    client.force_login(manager)
    for url, asked in (
        (reverse("reports"), filters),
        (reverse("report_csv"), {"figure": "stage", **filters}),
        (reverse("period_report"), filters),
    ):
        response = client.get(url, asked)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        page = response.text
        error = page.index(f'id="id_{field}_error"')
        assert message in page[error : error + 400]
        assert "Verbeter de gemarkeerde filters" in page
        assert "<svg" not in page
        if field in ("start", "end"):
            assert f'value="{filters[field]}"' in page


def test_the_period_report_needs_a_municipality(client, manager, region):
    client.force_login(manager)
    response = client.get(reverse("period_report"), PERIOD)
    assert response.status_code == 200
    assert "Kies de gemeente waarvoor de perioderapportage is." in response.text


def test_the_period_report_is_a_pdf_of_the_dashboard_for_one_municipality(
    client, manager, region, municipality, tmp_path
):
    client.force_login(manager)
    response = client.get(reverse("period_report"), {**PERIOD, "municipality": municipality.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="perioderapportage-woerden-2026-01-01-2026-03-31.pdf"'
    )
    pages = text_of(response.content)
    text = " ".join(pages)
    assert "Perioderapportage Woerden" in pages[0]
    assert "1 januari 2026 tot en met 31 maart 2026" in pages[0]
    for number, page in enumerate(pages, start=1):
        assert "Vertrouwelijk" in page
        assert f"Pagina {number} / {len(pages)}" in page
        assert "Afgedrukt op" in page
    for title in [
        "Inwoners per fase van de cyclus",
        "Instroom en uitstroom per maand",
        "Langdurige afhankelijkheid",
        "Te late herbeoordelingen en vastgelopen voorstellen per klantmanager",
        "Bezetting en wachtlijsten per voorziening",
    ]:
        assert title in text
    # Woerden only: Dirk of Oudewater is not counted.
    assert "Oudewater" not in text
    assert "Herbeoordeling 2" in text and "Intake 0" in text
    assert "Buurtkamer <b>De Linde</b>" in text
    (tmp_path / "report.pdf").write_bytes(response.content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "report.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    image = next(tmp_path.glob("page*.png")).read_bytes()
    assert image.startswith(b"\x89PNG") and len(image) > 2000


def test_the_period_report_in_english(client, manager, region, municipality):
    client.force_login(manager)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("period_report"), {**PERIOD, "municipality": municipality.pk})
    text = " ".join(text_of(response.content))
    assert "Period report Woerden" in text
    assert "Residents by stage of the cycle" in text
    assert "Confidential" in text


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.SOCIAL_TEAM])
def test_only_managers_reach_the_dashboard_its_csv_and_the_period_report(
    client, role, werkbedrijf, social_team, municipality
):
    organisation = social_team if role == Role.SOCIAL_TEAM else werkbedrijf
    client.force_login(factories.make_user(role, organisation))
    for url in (
        reverse("reports"),
        reverse("report_csv") + "?figure=stage",
        reverse("period_report") + f"?municipality={municipality.pk}",
    ):
        assert client.get(url).status_code == 404


def test_logged_out_users_are_sent_to_log_in(client):
    for url in (reverse("reports"), reverse("report_csv") + "?figure=stage"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/inloggen/")


def test_an_unknown_figure_is_not_found(client, manager):
    client.force_login(manager)
    assert client.get(reverse("report_csv"), {"figure": "salaries"}).status_code == 404
    assert client.get(reverse("report_csv")).status_code == 404


def test_a_municipality_the_manager_may_not_see_cannot_be_chosen(
    client, werkbedrijf, municipality, other_municipality, region
):
    """A manager of an organisation without the right to see every resident sees only the
    municipalities it serves, in the figures and in the choice."""
    from django.contrib.auth.models import Permission

    manager = factories.make_user(Role.MANAGER, werkbedrijf, username="beperkt")
    factories.make_totp_device(manager)
    manager.groups.get().permissions.remove(Permission.objects.get(codename="view_all_clients"))
    client.force_login(manager)
    assert figure_csv(client, "municipality")[1:] == [["Woerden", "3"]]
    response = client.get(reverse("reports"), {"municipality": other_municipality.pk})
    assert "Selecteer een geldige keuze." in response.text


def test_text_that_looks_like_a_formula_stays_text_in_the_csv(client, manager, region):
    region["linde"].name = "=HYPERLINK(1)"
    region["linde"].save()
    client.force_login(manager)
    rows = figure_csv(client, "provisions")
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_the_chart_draws_bars_in_proportion_with_a_legend_for_several_series():
    figure = Figure("x", "X", "Label", ["A", "B"], [("een", [10, 5]), ("twee", [0, 2])])
    chart = figure.chart()
    first, second = chart["rows"]
    assert first["bars"][0]["width"] == 300
    assert first["bars"][1]["width"] == 150
    assert second["bars"][0]["width"] == 0
    assert [item["name"] for item in chart["legend"]] == ["A", "B"]
    long_label = Figure("y", "Y", "L", ["A"], [("x" * 60, [1])]).chart()["rows"][0]
    assert long_label["label"] == "x" * 60 and len(long_label["short"]) == 27
    assert Figure("z", "Z", "L", ["A"], []).chart()["rows"] == []


def test_months_are_drawn_as_columns_with_a_label_under_every_month_that_fits():
    rows = [(f"maand {n}", [n, 0, 1]) for n in range(36)]
    labels = [f"m{n}" for n in range(36)]
    chart = Figure("flow", "F", "Maand", ["A", "B", "C"], rows, column_labels=labels).columns()
    assert len(chart["groups"]) == 36
    tallest = chart["groups"][35]["bars"][0]
    assert tallest["height"] == 200 and chart["groups"][0]["bars"][0]["height"] == 0
    shown = [group["short"] for group in chart["groups"] if group["short"]]
    assert shown == labels[::3]
    twelve = Figure("flow", "F", "M", ["A", "B", "C"], rows[:12], column_labels=labels[:12])
    twelve = twelve.columns()
    assert [group["short"] for group in twelve["groups"]] == labels[:12]
    assert [line["value"] for line in chart["grid"]] == [0, 18, 35]


def test_the_period_runs_over_whole_months(client, manager, region):
    client.force_login(manager)
    response = client.get(reverse("reports"), {"start": "2026-01-15", "end": "2026-03-10"})
    assert "Periode: 1 januari 2026 tot en met 31 maart 2026." in response.text
    rows = figure_csv(client, "flow", start="2026-01-15", end="2026-03-10")
    assert [row[1] for row in rows[1:]] == ["1", "1", "1"]


def test_the_counts_stay_right_when_a_consultant_is_deleted(municipality, werkbedrijf):
    """Deleting a consultant merges their counts into those of no consultant; a later change
    moves one resident, not two."""
    leaving = factories.make_user(Role.CONSULTANT, werkbedrijf, username="vertrekt")
    factories.make_client(municipality, leaving)
    unassigned = factories.make_client(municipality)
    leaving.delete()
    factories.make_plan_ready(unassigned)
    assert CaseCount.objects.tally() == Case.objects.tally()
    assert FlowCount.objects.tally() == Case.objects.tallies()[1]
