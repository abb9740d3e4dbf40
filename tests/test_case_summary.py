"""The printed case summary: what it says (read back from the PDF), who may print it, that
what was typed into the file stays text, and that the renderer fetches only static files."""

import io
import subprocess
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from clients.models import AccessLog, Client
from partners.models import OrganisationKind, Role
from trajectories import pdf
from trajectories.models import (
    Action,
    Assessment,
    CaseNote,
    DomainScore,
    Goal,
    LadderRung,
    LifeDomain,
    PlanOfAction,
    ScoreLevel,
)
from trajectories.summary import summary_pdf

from . import factories

pytestmark = pytest.mark.django_db


def text_of(content):
    """The PDF's text, page by page, with runs of white space made single spaces (pypdf reads
    the fallback fonts' text with NUL bytes between the letters)."""
    pages = PdfReader(io.BytesIO(content)).pages
    return [" ".join(page.extract_text().replace("\x00", "").split()) for page in pages]


def summary_url(resident):
    return reverse("trajectories:summary_pdf", args=[resident.pk])


@pytest.fixture
def full_case(client_record, provision, consultant, social_team):
    """Fenna van Dijk: intake, two assessments with scores, diagnosis, a plan with an action,
    an active placement, a note and a share with the social team."""
    factories.make_full_cycle(client_record, provision, on=date(2026, 1, 5))
    client_record.intakes.update(
        what_matters="Mijn kinderen en mijn moestuin",
        wishes="Werken in de horeca",
        contribution="Ik kan goed koken",
    )
    domain = LifeDomain.objects.order_by("position").first()
    levels = list(ScoreLevel.objects.order_by("value"))
    first = client_record.assessments.get()
    DomainScore.objects.create(assessment=first, life_domain=domain, level=levels[0])
    later = Assessment.objects.create(
        client=client_record,
        assessed_on=date(2026, 6, 1),
        current_rung=LadderRung.objects.get(number=3),
    )
    DomainScore.objects.create(assessment=later, life_domain=domain, level=levels[2])
    goal = Goal.objects.create(
        plan=PlanOfAction.objects.get(client=client_record), description="Ritme opbouwen"
    )
    Action.objects.create(goal=goal, description="Drie dagdelen per week koken")
    CaseNote.objects.create(
        client=client_record,
        kind=CaseNote.Kind.CONTACT,
        happened_on=date(2026, 2, 1),
        text="Gebeld over de start.",
        author=consultant,
    )
    factories.make_share(client_record, social_team, parts=("summary", "plan"))
    return client_record


def test_the_summary_says_where_the_resident_stands(client, consultant, full_case, levels):
    client.force_login(consultant)
    response = client.get(summary_url(full_case))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"samenvatting-{full_case.pk}.pdf" in response["Content-Disposition"]
    pages = text_of(response.content)
    text = " ".join(pages)
    assert "Casusoverzicht" in text and "Fenna van Dijk" in text
    for words in ["Mijn kinderen en mijn moestuin", "Werken in de horeca", "Ik kan goed koken"]:
        assert words in text
    # The latest assessment, the previous one beside it.
    assert "1 juni 2026" in text and "vorige: 5 januari 2026" in text
    assert f"{levels[2]} {levels[0]}" in text
    assert "Categorie 3" in text or "3" in text
    assert "Ritme opbouwen" in text and "Drie dagdelen per week koken" in text
    assert "Dagbesteding CAB" in text
    assert "Gebeld over de start." in text
    assert "Sociaal team Woerden" in text
    for number, page in enumerate(pages, start=1):
        assert "Vertrouwelijk" in page
        assert f"Pagina {number} / {len(pages)}" in page
        assert "Afgedrukt op" in page and f"door {consultant}" in page
    assert AccessLog.objects.filter(
        user=consultant, client=full_case, action=AccessLog.Action.SUMMARY_PDF
    ).exists()


@pytest.fixture
def levels(db):
    return [str(level) for level in ScoreLevel.objects.order_by("value")]


def test_the_summary_is_in_english_for_whoever_chose_it(client, consultant, full_case):
    client.force_login(consultant)
    client.cookies["django_language"] = "en"
    text = " ".join(text_of(client.get(summary_url(full_case)).content))
    assert "Case summary" in text and "Confidential" in text and "Printed on" in text


def test_a_social_team_reads_only_the_parts_shared_with_it(client, social_team_member, full_case):
    client.force_login(social_team_member)
    response = client.get(summary_url(full_case))

    assert response.status_code == 200
    text = " ".join(text_of(response.content))
    # Shared: the summary (own words) and the plan.
    assert "Werken in de horeca" in text and "Ritme opbouwen" in text
    assert "alleen de delen" in text
    # Not shared: assessment and diagnosis, placements, the werkbedrijf's notes.
    assert "Problemen op meerdere leefgebieden" not in text
    assert "Dagbesteding CAB" not in text
    assert "Gebeld over de start." not in text


@pytest.mark.parametrize("who", ["other_consultant", "social_team_member", "provider_staff"])
def test_whoever_may_not_see_the_case_gets_404(client, full_case, who, social_team_member):
    if who == "social_team_member":
        full_case.shares.update(withdrawn_at="2026-01-01T00:00Z")
        user = social_team_member
    elif who == "provider_staff":
        provider = factories.make_organisation("Reinaerde", OrganisationKind.CARE_PROVIDER)
        user = factories.make_user(None, provider, username="aanbieder")
    else:
        elsewhere = factories.make_municipality("Oudewater", "GM0589")
        company = factories.make_organisation("Elders", OrganisationKind.WORK_COMPANY, [elsewhere])
        user = factories.make_user(Role.CONSULTANT, company, username="elders")
    client.force_login(user)

    assert client.get(summary_url(full_case)).status_code == 404
    assert not AccessLog.objects.filter(user=user, action=AccessLog.Action.SUMMARY_PDF).exists()


def test_an_anonymised_file_has_no_summary(client, manager, full_case):
    full_case.close(date.today(), Client.ClosedReason.PAID_WORK)
    Client.objects.filter(pk=full_case.pk).update(anonymised_on=date.today())
    client.force_login(manager)
    factories.give_reason(client, full_case)
    assert client.get(summary_url(full_case)).status_code == 404


def test_the_case_page_offers_the_summary(client, consultant, full_case):
    client.force_login(consultant)
    page = client.get(full_case.get_absolute_url()).content.decode()
    assert f'href="{summary_url(full_case)}"' in page and "Casusoverzicht (PDF)" in page


def test_the_summary_takes_a_fixed_number_of_queries(
    client, consultant, full_case, provision, django_assert_max_num_queries
):
    for day in range(1, 29):
        CaseNote.objects.create(
            client=full_case,
            kind=CaseNote.Kind.CONTACT,
            happened_on=date(2026, 3, day),
            text=f"Contact {day}",
            author=consultant,
        )
    client.force_login(consultant)
    with django_assert_max_num_queries(45):
        assert client.get(summary_url(full_case)).status_code == 200


TYPED = {
    "markup": '<b>vet</b> <img src="file:///etc/passwd"> <a href="https://example.com/x">x</a>',
    "long word": "Donaudampfschifffahrtsgesellschaftskapitän" * 8,
    "right to left": "مرحبا بالعالم",
    "emoji": "Koken 🍳 en tuinieren 🌱",
}


def test_what_was_typed_stays_text(client, consultant, full_case, monkeypatch):
    fetched = []
    real = pdf.static_file
    monkeypatch.setattr(pdf, "static_file", lambda url: fetched.append(url) or real(url))
    full_case.intakes.update(
        what_matters=TYPED["markup"], wishes=TYPED["long word"], contribution=TYPED["right to left"]
    )
    Goal.objects.filter(description="Ritme opbouwen").update(description=TYPED["emoji"])
    Client.objects.filter(pk=full_case.pk).update(first_name="<script>alert(1)</script>")

    client.force_login(consultant)
    response = client.get(summary_url(full_case))

    assert response.status_code == 200
    text = " ".join(text_of(response.content))
    assert "<b>vet</b>" in text and '<img src="file:///etc/passwd">' in text
    assert "<script>alert(1)</script>" in text
    assert "Donaudampfschifffahrtsgesellschaftskapitän" in text
    assert "Koken" in text and "tuinieren" in text
    # Right-to-left text and emoji reach the PDF as text, in glyphs of the fallback fonts
    # (pypdf cannot read those back; the PNG check below shows them).
    # Nothing typed into the file made the renderer fetch anything.
    assert fetched == []
    # The long word wrapped rather than running off the page: every line fits the width.
    reader = PdfReader(io.BytesIO(response.content))
    assert all(float(page.mediabox.width) < 600 for page in reader.pages)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "https://example.com/static/css/fermwerk.css",
        "http://fermwerk.pdf/static/css/fermwerk.css",
        "data:text/css,body{}",
        "https://fermwerk.pdf/static/../../etc/passwd",
        "https://fermwerk.pdf/etc/passwd.css",
        "https://fermwerk.pdf/static/js/fermwerk.js",
        "https://fermwerk.pdf/static/css/nothing-here.css",
        "https://fermwerk.pdf/static/css/fermwerk.css?x=1",
    ],
)
def test_the_renderer_refuses_anything_but_the_apps_static_files(url):
    with pytest.raises(pdf.RefusedURL):
        pdf.static_file(url)


def test_the_renderer_reads_the_apps_own_static_files():
    body, content_type = pdf.static_file("https://fermwerk.pdf/static/css/fermwerk.css")
    assert content_type == "text/css" and body.startswith(b"/*") or b"{" in body


def test_a_document_linking_elsewhere_renders_without_what_it_links(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    html = (
        f'<link rel="stylesheet" href="file://{secret}">'
        '<img src="https://example.com/tracker.png"><p>Alleen tekst</p>'
    )
    text = " ".join(text_of(pdf.render_pdf(html)))
    assert "Alleen tekst" in text


def test_a_long_plan_breaks_across_pages_with_its_header_repeated(client, consultant, full_case):
    goal = Goal.objects.get(description="Ritme opbouwen")
    Action.objects.bulk_create(
        Action(goal=goal, description=f"Stap {n} van het plan", due_on=date(2026, 7, 1))
        for n in range(1, 81)
    )
    client.force_login(consultant)
    pages = text_of(client.get(summary_url(full_case)).content)
    with_actions = [page for page in pages if "Stap " in page and "van het plan" in page]
    assert len(with_actions) >= 2
    # Each page the table continues on starts it with its header again.
    assert all("Actie Verantwoordelijke" in page for page in with_actions)


def test_the_pdf_renders_to_an_image(consultant, full_case, tmp_path):
    with translation.override("nl"):
        content = summary_pdf(full_case, consultant)
    (tmp_path / "summary.pdf").write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "summary.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    image = next(tmp_path.glob("page*.png")).read_bytes()
    assert image.startswith(b"\x89PNG") and len(image) > 2000
