"""Work-learning lines (werk-leerlijnen): ordered steps with the partners involved, and a
resident's progress along a line on the case page."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from partners.models import OrganisationKind
from provisions.models import WorkLearningLine, WorkLearningStep
from trajectories.models import StepReached

from . import factories

ROLES = ["consultant", "social_team_member", "manager", "administrator"]


@pytest.fixture
def horeca(db):
    """The horeca line as the migration seeds it, with a school in its third step."""
    line = WorkLearningLine.objects.get(name="Horeca")
    school = factories.make_organisation("MBO College Test", OrganisationKind.EDUCATION)
    line.steps.get(position=3).partners.set([school])
    return line


@pytest.fixture
def catering(municipality, horeca):
    return factories.make_provision(
        name="Catering gemeentehuis", municipality=municipality, work_learning_line=horeca
    )


def step(line, position):
    return WorkLearningStep.objects.get(line=line, position=position)


def test_the_lines_are_seeded_with_their_steps_in_order(db):
    names = list(
        WorkLearningStep.objects.filter(line__name="Schoonmaak").values_list("name", flat=True)
    )
    assert names[0] == "Oriëntatie in de schoonmaak"
    assert names[-1] == "Betaald werk in de schoonmaak"
    assert len(names) == 5


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_lines_with_steps_partners_and_counts(
    client, request, role, horeca, catering, client_record, client_elsewhere
):
    StepReached.objects.create(client=client_record, step=step(horeca, 1), reached_on=date.today())
    StepReached.objects.create(
        client=client_elsewhere, step=step(horeca, 1), reached_on=date.today()
    )
    StepReached.objects.create(client=client_record, step=step(horeca, 2), reached_on=date.today())
    client.force_login(request.getfixturevalue(role))
    page = client.get(reverse("provisions:work_learning_lines"))
    assert page.status_code == 200
    text = page.text
    assert "Werk-leerlijnen" in text
    assert "De stappen van Horeca" in text
    assert text.index("1. Oriëntatie in de bedrijfskantine") < text.index(
        "2. Catering van het gemeentehuis"
    )
    assert "MBO College Test" in text
    assert "Catering gemeentehuis" in text
    counts = {row.position: row.residents for row in page.context["lines"][0].steps.all()}
    assert counts == {1: 2, 2: 1, 3: 0, 4: 0, 5: 0}


def test_a_user_without_a_role_may_not_read_the_lines(client, db):
    client.force_login(factories.make_user(username="zonderrol"))
    assert client.get(reverse("provisions:work_learning_lines")).status_code == 403


def test_the_lines_page_takes_a_fixed_number_of_queries(
    client, consultant, horeca, municipality, django_assert_max_num_queries
):
    for _ in range(6):
        factories.make_provision(municipality=municipality, work_learning_line=horeca)
        resident = factories.make_client(municipality, consultant)
        StepReached.objects.create(client=resident, step=step(horeca, 1), reached_on=date.today())
    client.force_login(consultant)
    # Seven for the session, user, device, role and membership; one each for the lines,
    # their steps, the steps' partners and the provisions.
    with django_assert_max_num_queries(11):
        assert client.get(reverse("provisions:work_learning_lines")).status_code == 200


def test_the_chain_and_the_provision_link_to_the_line(client, consultant, catering):
    client.force_login(consultant)
    lines_url = reverse("provisions:work_learning_lines")
    assert lines_url in client.get(reverse("provisions:list")).text
    assert f"{lines_url}#line-{catering.work_learning_line_id}" in (
        client.get(catering.get_absolute_url()).text
    )


def test_a_resident_placed_in_a_line_sees_its_steps_with_the_first_next(
    client, consultant, client_record, catering
):
    factories.make_full_cycle(client_record, provision=catering)
    client.force_login(consultant)
    text = client.get(client_record.get_absolute_url()).text
    assert "Werk-leerlijnen" in text
    assert "0 van 5 stappen behaald" in text
    assert "Oriëntatie in de bedrijfskantine\n        – <em>volgende stap</em>" in text


def test_the_consultant_records_steps_and_the_case_shows_the_progress(
    client, consultant, client_record, catering, horeca
):
    factories.make_full_cycle(client_record, provision=catering)
    client.force_login(consultant)
    url = reverse("trajectories:line_step", args=[client_record.pk])
    assert "Behaalde stap vastleggen" in client.get(client_record.get_absolute_url()).text
    for position, day in [(1, date(2026, 2, 2)), (2, date(2026, 5, 4))]:
        response = client.post(
            url,
            {"step": step(horeca, position).pk, "reached_on": day.isoformat(), "note": "Goed"},
        )
        assert response.status_code == 302
        assert response["Location"] == client_record.get_absolute_url()
    reached = StepReached.objects.filter(client=client_record)
    assert [(row.step.position, row.recorded_by) for row in reached] == [
        (1, consultant),
        (2, consultant),
    ]
    text = client.get(client_record.get_absolute_url()).text
    assert "2 van 5 stappen behaald" in text
    assert "behaald op 4 mei 2026" in text
    assert "Praktijkverklaring horeca\n        – <em>volgende stap</em>" in text
    assert "met MBO College Test" in text
    # A step reached is no longer offered.
    offered = client.get(url).context["form"].fields["step"].queryset
    assert step(horeca, 1) not in offered and step(horeca, 3) in offered


def test_a_resident_not_on_a_line_says_so(client, consultant, client_record):
    client.force_login(consultant)
    assert "Niet op een werk-leerlijn." in client.get(client_record.get_absolute_url()).text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"step": "", "reached_on": "2026-02-02"}, "step", "Dit veld is verplicht."),
        ({"step": "999999", "reached_on": "2026-02-02"}, "step", "Selecteer een geldige keuze."),
        ({"step": "x", "reached_on": "2026-02-02"}, "step", "Selecteer een geldige keuze."),
        ({"reached_on": "31-02-2026"}, "reached_on", "Voer een geldige datum in."),
        (
            {"reached_on": (date.today() + timedelta(days=2)).isoformat()},
            "reached_on",
            "Deze datum ligt in de toekomst",
        ),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_the_note_is_kept(
    client, consultant, client_record, horeca, data, field, message
):
    data = {"step": step(horeca, 1).pk, "note": "Eerste week goed gegaan", **data}
    client.force_login(consultant)
    response = client.post(reverse("trajectories:line_step", args=[client_record.pk]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in form.errors[field][0]
    assert "Eerste week goed gegaan" in response.text
    assert not StepReached.objects.exists()


def test_a_step_reached_already_cannot_be_recorded_twice(client, consultant, client_record, horeca):
    first = step(horeca, 1)
    StepReached.objects.create(client=client_record, step=first, reached_on=date(2026, 1, 5))
    client.force_login(consultant)
    response = client.post(
        reverse("trajectories:line_step", args=[client_record.pk]),
        {"step": first.pk, "reached_on": "2026-02-02"},
    )
    assert "Selecteer een geldige keuze." in response.context["form"].errors["step"][0]
    assert StepReached.objects.count() == 1


def test_only_who_may_work_on_the_case_records_a_step(
    client, client_record, social_team_member, social_team, client_elsewhere, consultant, horeca
):
    """A social team with the placements shared reads the progress but records nothing; a
    resident the consultant may not see is 404."""
    factories.make_share(client_record, social_team, parts=("summary", "placements"))
    StepReached.objects.create(client=client_record, step=step(horeca, 1), reached_on=date.today())
    url = reverse("trajectories:line_step", args=[client_record.pk])
    data = {"step": step(horeca, 2).pk, "reached_on": date.today().isoformat()}
    client.force_login(social_team_member)
    page = client.get(client_record.get_absolute_url()).text
    assert "1 van 5 stappen behaald" in page and "Behaalde stap vastleggen" not in page
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    client.force_login(consultant)
    elsewhere = reverse("trajectories:line_step", args=[client_elsewhere.pk])
    assert client.get(elsewhere).status_code == 404
    assert client.post(elsewhere, data).status_code == 404
    assert StepReached.objects.count() == 1


def test_the_progress_is_not_shown_to_a_team_without_the_placements_shared(
    client, client_record, social_team_member, social_team, horeca
):
    factories.make_share(client_record, social_team, parts=("summary",))
    StepReached.objects.create(client=client_record, step=step(horeca, 1), reached_on=date.today())
    client.force_login(social_team_member)
    response = client.get(client_record.get_absolute_url())
    assert response.status_code == 200
    assert client_record.last_name in response.text  # the summary it shares
    assert "Werk-leerlijnen" not in response.text
    assert "stappen behaald" not in response.text


def test_the_case_page_reads_the_progress_in_a_fixed_number_of_queries(
    client,
    consultant,
    client_record,
    catering,
    horeca,
    municipality,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    factories.make_full_cycle(client_record, provision=catering)
    StepReached.objects.create(client=client_record, step=step(horeca, 1), reached_on=date.today())
    client.force_login(consultant)
    client.get(client_record.get_absolute_url())  # the session settles
    with django_assert_max_num_queries(40) as few:
        client.get(client_record.get_absolute_url())
    schoonmaak = WorkLearningLine.objects.get(name="Schoonmaak")
    cleaning = factories.make_provision(municipality=municipality, work_learning_line=schoonmaak)
    factories.make_full_cycle(client_record, provision=cleaning, on=date(2026, 3, 2))
    for position in (1, 2, 3):
        StepReached.objects.create(
            client=client_record, step=step(schoonmaak, position), reached_on=date.today()
        )
        StepReached.objects.create(
            client=client_record, step=step(horeca, position + 1), reached_on=date.today()
        )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(client_record.get_absolute_url())
