"""The covenant: partners' contact people and agreements, process descriptions uploaded by
managers and downloaded (logged) by staff, and proposals left unanswered past the agreed
response time standing out for the consultant and on the partner's page."""

import io
import tracemalloc
import zipfile
from contextlib import suppress
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from clients.models import AccessLog
from partners.models import (
    Agreement,
    Contact,
    OrganisationKind,
    ProcessDocument,
    ProcessStep,
    document_kind,
    validate_document,
)
from trajectories.models import Case, Placement

from . import factories

TODAY = date.today()
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "private"


@pytest.fixture
def as_user(client, request):
    def login(fixture_name):
        user = request.getfixturevalue(fixture_name)
        client.force_login(user)
        return user

    return login


@pytest.fixture
def reinaerde(municipality):
    return factories.make_organisation("Reinaerde", OrganisationKind.CARE_PROVIDER, [municipality])


@pytest.fixture
def contact(reinaerde):
    return Contact.objects.create(
        organisation=reinaerde,
        name="Petra Voorbeeld",
        function="Coördinator dagbesteding",
        phone="0348 123 456",
        email="petra@example.org",
    )


@pytest.fixture
def agreement(reinaerde, contact):
    return Agreement.objects.create(
        organisation=reinaerde,
        steps=[ProcessStep.PLACEMENT, ProcessStep.GUIDANCE],
        response_days=5,
        contact=contact,
        valid_from=date(2025, 1, 1),
    )


@pytest.fixture
def document(agreement, manager):
    return ProcessDocumentFactory(agreement, manager)


def ProcessDocumentFactory(agreement, user, title="Werkproces plaatsing", content=PDF):  # noqa: N802
    return ProcessDocument.objects.create(
        agreement=agreement,
        title=title,
        file=SimpleUploadedFile("werkproces.pdf", content),
        uploaded_by=user,
    )


@pytest.fixture
def cab(reinaerde, municipality):
    return factories.make_provision(
        reinaerde, chain_step=2, name="Dagbesteding CAB", municipality=municipality
    )


def propose(resident, provision, days_ago):
    factories.make_plan_ready(resident, on=TODAY - timedelta(days=60))
    return Placement.propose(resident, provision, TODAY - timedelta(days=days_ago))


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def odt_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def upload(client, agreement, name, content, title="Werkproces plaatsing"):
    url = reverse("partners:document_upload", args=[agreement.organisation_id, agreement.pk])
    data = {"title": title}
    if name is not None:
        data["file"] = SimpleUploadedFile(name, content)
    return client.post(url, data)


# The pages


def test_partner_page_shows_provisions_contacts_agreements_and_documents(
    client, as_user, reinaerde, cab, agreement, document
):
    as_user("consultant")
    response = client.get(reinaerde.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Wat deze organisatie biedt" in page
    assert "Dagbesteding CAB" in page
    assert "Contactpersonen" in page
    assert "Petra Voorbeeld" in page and "Coördinator dagbesteding" in page
    assert "Convenantafspraken" in page
    assert "Plaatsing, Begeleiding" in page
    assert "binnen 5 dagen" in page
    assert "Werkproces plaatsing" in page
    assert document.get_absolute_url() in page
    # Consultants read the covenant; they do not keep it.
    assert "Procesbeschrijving uploaden" not in page
    assert "Contactpersoon toevoegen" not in page


def test_partner_page_offers_managers_to_keep_the_covenant(client, as_user, reinaerde, agreement):
    as_user("manager")
    page = client.get(reinaerde.get_absolute_url()).content.decode()
    assert "Procesbeschrijving uploaden" in page
    assert "Contactpersoon toevoegen" in page
    assert "Convenantafspraak toevoegen" in page


def test_covenant_page_lists_every_partners_agreement(
    client, as_user, reinaerde, agreement, document, social_team
):
    Agreement.objects.create(
        organisation=social_team, steps=[ProcessStep.INTAKE], valid_from=date(2025, 1, 1)
    )
    as_user("social_team_member")
    response = client.get(reverse("partners:covenant"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<caption" in page and 'scope="col"' in page
    assert "Convenant" in page
    assert "Reinaerde" in page and "Sociaal team Woerden" in page
    assert "Intake" in page and "binnen 5 dagen" in page
    assert "Petra Voorbeeld" in page
    assert "Werkproces plaatsing" in page


def test_covenant_page_keeps_its_query_count_flat(
    client, as_user, reinaerde, agreement, manager, django_assert_max_num_queries
):
    for number in range(5):
        organisation = factories.make_organisation(kind=OrganisationKind.CARE_PROVIDER)
        person = Contact.objects.create(organisation=organisation, name=f"Contact {number}")
        other = Agreement.objects.create(
            organisation=organisation, response_days=3, contact=person, valid_from=TODAY
        )
        ProcessDocumentFactory(other, manager)
    as_user("consultant")
    with django_assert_max_num_queries(10):
        assert client.get(reverse("partners:covenant")).status_code == 200


def test_partner_page_keeps_its_query_count_flat(
    client, as_user, reinaerde, cab, agreement, manager, django_assert_max_num_queries
):
    for number in range(5):
        Contact.objects.create(organisation=reinaerde, name=f"Contact {number}")
        ProcessDocumentFactory(agreement, manager, title=f"Document {number}")
        factories.make_provision(reinaerde, chain_step=number % 3 + 1)
    as_user("consultant")
    with django_assert_max_num_queries(14):
        assert client.get(reinaerde.get_absolute_url()).status_code == 200


@pytest.mark.usefixtures("agreement")
def test_partner_overdue_list_keeps_its_query_count_flat(
    client, as_user, municipality, consultant, reinaerde, cab, django_assert_max_num_queries
):
    for _ in range(5):
        propose(factories.make_client(municipality, consultant), cab, days_ago=8)
    as_user("consultant")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("trajectories:partner_overdue", args=[reinaerde.pk]))
    assert response.content.decode().count('<th scope="row"') == 5


# Keeping the covenant


def test_a_manager_adds_a_contact_and_an_agreement(client, as_user, reinaerde, contact):
    as_user("manager")
    response = client.post(
        reverse("partners:contact_add", args=[reinaerde.pk]),
        {"name": "Karel Fictief", "function": "Teamleider", "phone": "", "email": ""},
    )
    assert response.status_code == 302
    assert reinaerde.contacts.filter(name="Karel Fictief").exists()
    response = client.post(
        reverse("partners:agreement_add", args=[reinaerde.pk]),
        {
            "steps": ["placement", "reevaluation"],
            "response_days": "10",
            "contact": contact.pk,
            "valid_from": "2026-01-01",
            "valid_until": "",
        },
    )
    assert response.status_code == 302
    agreement = reinaerde.agreements.get()
    assert agreement.steps == ["placement", "reevaluation"]
    assert agreement.response_days == 10


def test_an_agreement_overlapping_another_is_refused_in_dutch(client, as_user, agreement):
    as_user("manager")
    response = client.post(
        reverse("partners:agreement_add", args=[agreement.organisation_id]),
        {"steps": ["intake"], "response_days": "3", "valid_from": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "Er geldt al een andere afspraak van deze organisatie" in response.content.decode()
    assert Agreement.objects.count() == 1


def test_an_agreement_needs_a_contact_of_its_own_organisation(agreement, social_team):
    stranger = Contact.objects.create(organisation=social_team, name="Iemand Anders")
    agreement.contact = stranger
    with pytest.raises(ValidationError) as error:
        agreement.full_clean()
    assert "contact" in error.value.error_dict


@pytest.mark.parametrize(
    ("role", "status"),
    [("consultant", 404), ("social_team_member", 404), ("manager", 200), ("administrator", 200)],
)
@pytest.mark.parametrize("url_name", ["contact_add", "agreement_add"])
def test_only_managers_and_administrators_keep_the_covenant(
    client, as_user, reinaerde, role, status, url_name
):
    as_user(role)
    assert client.get(reverse(f"partners:{url_name}", args=[reinaerde.pk])).status_code == status


# Uploading process descriptions


def test_a_manager_uploads_a_pdf_stored_outside_the_web_root(
    client, as_user, agreement, private_files, settings
):
    manager = as_user("manager")
    response = upload(client, agreement, "Werkproces.PDF", PDF)
    assert response.status_code == 302
    document = ProcessDocument.objects.get()
    assert document.uploaded_by == manager
    assert document.filename == "Werkproces.PDF"
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    stored = private_files / document.file.name
    assert stored.read_bytes() == PDF
    assert stored.is_relative_to(private_files)
    assert "Werkproces" not in document.file.name
    assert not settings.MEDIA_ROOT.exists()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("proces.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument."),
        ("proces.odt", odt_bytes(), "application/vnd.oasis.opendocument.text"),
    ],
)
def test_word_and_opendocument_files_are_accepted(
    client, as_user, agreement, name, content, content_type
):
    as_user("manager")
    assert upload(client, agreement, name, content).status_code == 302
    assert ProcessDocument.objects.get().content_type.startswith(content_type)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("werkproces.pdf", b"MZ\x90\x00 not a pdf at all", "Dit is geen echt PDF-bestand."),
        ("werkproces.docx", PDF, "Dit is geen echt Word (DOCX)-bestand."),
        ("werkproces.odt", docx_bytes(), "Dit is geen echt OpenDocument (ODT)-bestand."),
        ("werkproces.exe", PDF, "Upload een PDF-, DOCX- of ODT-bestand."),
        ("werkproces.pdf", b"", "Het verstuurde bestand is leeg."),
        (None, b"", "Dit veld is verplicht."),
    ],
)
def test_a_wrong_file_is_refused_beside_the_field_and_the_title_kept(
    client, as_user, agreement, private_files, name, content, message
):
    as_user("manager")
    response = upload(client, agreement, name, content, title="Mijn titel")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_file_error"' in page
    error = page.split('id="id_file_error"')[1].split("</div>")[0]
    assert message in error
    assert 'value="Mijn titel"' in page
    assert not ProcessDocument.objects.exists()
    assert not any(private_files.rglob("*.*"))


def test_a_file_over_ten_megabytes_is_refused(client, as_user, agreement, private_files):
    as_user("manager")
    response = upload(client, agreement, "groot.pdf", PDF + b"0" * (11 * 1024 * 1024))
    page = response.content.decode().replace("\xa0", " ")
    assert response.status_code == 200
    error = page.split('id="id_file_error"')[1].split("</div>")[0]
    assert "Dit bestand is 11,0 MB; een document mag hoogstens 10,0 MB zijn." in error
    assert not ProcessDocument.objects.exists()
    assert not any(private_files.rglob("*.*"))


class UnreadableFile(SimpleUploadedFile):
    def read(self, *args):
        raise AssertionError("the file was read")

    seek = read


def test_a_file_over_ten_megabytes_is_refused_before_it_is_read():
    too_large = UnreadableFile("groot.odt", b"")
    too_large.size = 11 * 1024 * 1024
    with pytest.raises(ValidationError) as refused:
        validate_document(too_large)
    assert refused.value.code == "too_large"


def test_an_opendocument_is_recognised_without_unpacking_its_whole_mimetype():
    """A zip can unpack to far more than it holds: of the member naming the type only as much
    is read as the type's name takes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("mimetype", "w") as member:
            member.write(b"application/vnd.oasis.opendocument.text")
            for _ in range(64):
                member.write(b" " * 1024 * 1024)
        archive.writestr("content.xml", "<office:document-content/>")
    assert len(buffer.getvalue()) < 1024 * 1024
    tracemalloc.start()
    try:
        kind = document_kind(SimpleUploadedFile("proces.odt", buffer.getvalue()))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert kind == ".odt"
    assert peak < 1024 * 1024


@pytest.mark.parametrize(
    ("role", "status"),
    [("consultant", 404), ("social_team_member", 404), ("manager", 200), ("administrator", 200)],
)
def test_only_managers_and_administrators_upload(client, as_user, agreement, role, status):
    as_user(role)
    url = reverse("partners:document_upload", args=[agreement.organisation_id, agreement.pk])
    assert client.get(url).status_code == status


def test_uploading_asks_an_anonymous_visitor_to_log_in(client, agreement):
    url = reverse("partners:document_upload", args=[agreement.organisation_id, agreement.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Downloading them


@pytest.mark.parametrize("role", ["consultant", "social_team_member", "manager", "administrator"])
def test_every_role_downloads_a_process_description_and_it_is_logged(
    client, as_user, document, role
):
    user = as_user(role)
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="werkproces.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF
    entry = AccessLog.objects.get(action=AccessLog.Action.COVENANT_DOCUMENT)
    assert entry.user == user
    assert entry.client is None
    assert "Werkproces plaatsing" in entry.detail and "Reinaerde" in entry.detail


def test_each_download_is_logged_again(client, as_user, document):
    as_user("consultant")
    client.get(document.get_absolute_url())
    client.get(document.get_absolute_url())
    assert AccessLog.objects.filter(action=AccessLog.Action.COVENANT_DOCUMENT).count() == 2


def test_downloading_asks_an_anonymous_visitor_to_log_in(client, document):
    response = client.get(document.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not AccessLog.objects.exists()


def test_a_user_without_a_role_cannot_download(client, document):
    client.force_login(factories.make_user())
    assert client.get(document.get_absolute_url()).status_code == 404
    assert not AccessLog.objects.exists()


def test_a_document_whose_file_is_gone_is_not_found(client, as_user, document, private_files):
    (private_files / document.file.name).unlink()
    as_user("consultant")
    assert client.get(document.get_absolute_url()).status_code == 404


# Deleting them

DELETIONS = {
    "the document": lambda document: document.delete(),
    "a queryset": lambda document: ProcessDocument.objects.filter(pk=document.pk).delete(),
    "its agreement": lambda document: document.agreement.delete(),
    "its organisation": lambda document: document.agreement.organisation.delete(),
}


@pytest.mark.parametrize("deletion", DELETIONS.values(), ids=DELETIONS.keys())
def test_deleting_a_document_or_what_it_belongs_to_removes_its_file(
    document, private_files, django_capture_on_commit_callbacks, deletion
):
    stored = private_files / document.file.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        deletion(document)
    assert not ProcessDocument.objects.exists()
    assert not stored.exists()


def test_a_deletion_rolled_back_keeps_the_file(
    document, private_files, django_capture_on_commit_callbacks
):
    stored, pk = private_files / document.file.name, document.pk
    with (
        django_capture_on_commit_callbacks(execute=True),
        suppress(RuntimeError),
        transaction.atomic(),
    ):
        document.delete()
        raise RuntimeError("something after it failed")
    assert ProcessDocument.objects.filter(pk=pk).exists()
    assert stored.exists()


# Proposals waiting longer than agreed


@pytest.mark.parametrize(
    ("days_ago", "overdue"),
    [(0, False), (4, False), (5, False), (6, True), (30, True)],
)
def test_a_proposal_is_overdue_after_the_agreed_days(
    municipality, consultant, cab, agreement, days_ago, overdue
):
    placement = propose(factories.make_client(municipality, consultant), cab, days_ago)
    assert placement.status == Placement.Status.PROPOSED
    found = Placement.objects.response_overdue().filter(pk=placement.pk).exists()
    assert found is overdue
    annotated = Placement.objects.with_response_due().get(pk=placement.pk)
    assert annotated.response_due_on == placement.proposed_on + timedelta(days=5)
    assert annotated.response_is_overdue is overdue


def test_a_proposal_the_provider_answered_is_not_overdue(municipality, consultant, cab, agreement):
    placement = propose(factories.make_client(municipality, consultant), cab, days_ago=20)
    placement.accept(TODAY, "Petra Voorbeeld")
    assert not Placement.objects.response_overdue().exists()


def test_without_an_agreed_response_time_nothing_is_overdue(
    municipality, consultant, cab, agreement
):
    agreement.response_days = None
    agreement.save()
    propose(factories.make_client(municipality, consultant), cab, days_ago=60)
    assert not Placement.objects.response_overdue().exists()


def test_the_agreement_in_force_on_the_day_of_the_proposal_counts(
    municipality, consultant, cab, agreement
):
    """The old agreement (5 days) ended yesterday; the new one allows 10. A proposal of a week
    ago fell under the old one and is overdue; the one of today has ten days."""
    agreement.valid_until = TODAY - timedelta(days=1)
    agreement.save()
    Agreement.objects.create(
        organisation=agreement.organisation, response_days=10, valid_from=TODAY
    )
    old = propose(factories.make_client(municipality, consultant), cab, days_ago=7)
    new = propose(factories.make_client(municipality, consultant), cab, days_ago=0)
    due = dict(Placement.objects.with_response_due().values_list("pk", "response_due_on"))
    assert due[old.pk] == old.proposed_on + timedelta(days=5)
    assert due[new.pk] == TODAY + timedelta(days=10)
    assert list(Placement.objects.response_overdue()) == [old]


def test_another_providers_agreement_does_not_count(municipality, consultant, agreement):
    elsewhere = factories.make_provision(municipality=municipality)
    propose(factories.make_client(municipality, consultant), elsewhere, days_ago=30)
    assert not Placement.objects.response_overdue().exists()


def test_the_consultant_sees_the_overdue_answer_on_the_case_page(
    client, as_user, client_record, cab, agreement
):
    propose(client_record, cab, days_ago=6)
    as_user("consultant")
    page = client.get(client_record.get_absolute_url()).content.decode()
    due = (TODAY - timedelta(days=1)).strftime("%d-%m-%Y")
    assert f"Geen antwoord van de aanbieder; afgesproken uiterlijk {due}" in page
    assert "antwoord aanbieder te laat" in page


def test_an_answer_still_in_time_does_not_stand_out(client, as_user, client_record, cab, agreement):
    propose(client_record, cab, days_ago=5)
    as_user("consultant")
    page = client.get(client_record.get_absolute_url()).content.decode()
    assert "Geen antwoord van de aanbieder" not in page
    assert "antwoord aanbieder te laat" not in page


def test_the_caseload_marks_an_overdue_answer(
    client, as_user, municipality, consultant, cab, agreement
):
    late = propose(factories.make_client(municipality, consultant, last_name="Laat"), cab, 6)
    propose(factories.make_client(municipality, consultant, last_name="Optijd"), cab, 2)
    as_user("consultant")
    page = client.get(reverse("trajectories:mine")).content.decode()
    rows = {row.split("</tr>")[0] for row in page.split("<tr")}
    late_row = next(row for row in rows if "Laat" in row)
    in_time_row = next(row for row in rows if "Optijd" in row)
    assert "antwoord aanbieder te laat" in late_row
    assert "antwoord aanbieder te laat" not in in_time_row
    assert late.client.case.pk


def test_the_caseload_filter_for_attention_includes_an_overdue_answer(
    client, as_user, municipality, consultant, cab, agreement
):
    propose(factories.make_client(municipality, consultant, last_name="Laat"), cab, 6)
    as_user("consultant")
    page = client.get(reverse("trajectories:mine"), {"attention": "on"}).content.decode()
    assert "Laat" in page


def test_each_case_keeps_the_first_day_its_answer_is_overdue(
    municipality, consultant, cab, agreement
):
    late = propose(factories.make_client(municipality, consultant), cab, days_ago=6)
    in_time = propose(factories.make_client(municipality, consultant), cab, days_ago=5)
    cases = {case.client: case for case in Case.objects.all()}
    assert cases[late.client].response_due_on == TODAY - timedelta(days=1)
    assert cases[late.client].attention_from == TODAY
    assert cases[in_time.client].attention_from == TODAY + timedelta(days=1)
    assert {case.client for case in Case.objects.needing_attention()} == {late.client}
    assert {case.client for case in Case.objects.needing_attention(TODAY + timedelta(1))} == {
        late.client,
        in_time.client,
    }


def test_a_changed_agreement_moves_the_day_the_answer_is_due(
    municipality, consultant, cab, agreement
):
    placement = propose(factories.make_client(municipality, consultant), cab, days_ago=6)
    assert Case.objects.needing_attention().exists()
    agreement.response_days = 30
    agreement.save()
    case = Case.objects.get(pk=placement.client_id)
    assert case.response_due_on == placement.proposed_on + timedelta(days=30)
    assert not Case.objects.needing_attention().exists()
    agreement.delete()
    case.refresh_from_db()
    assert case.response_due_on is None
    assert not Case.objects.needing_attention().exists()


def test_the_partner_page_lists_its_overdue_proposals(
    client, as_user, client_record, cab, agreement, reinaerde
):
    propose(client_record, cab, days_ago=9)
    as_user("consultant")
    page = client.get(reinaerde.get_absolute_url()).content.decode()
    overdue_url = reverse("trajectories:partner_overdue", args=[reinaerde.pk])
    assert f'hx-get="{overdue_url}"' in page
    response = client.get(overdue_url, headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert "1 voorstel wacht langer dan de afgesproken reactietermijn." in fragment
    assert client_record.sort_name in fragment
    assert (TODAY - timedelta(days=4)).strftime("%d-%m-%Y") in fragment


def test_others_see_how_many_proposals_wait_but_not_who(
    client, as_user, client_record, cab, agreement, reinaerde
):
    propose(client_record, cab, days_ago=9)
    as_user("social_team_member")
    page = client.get(reverse("trajectories:partner_overdue", args=[reinaerde.pk])).content
    assert b"1 voorstel wacht langer" in page
    assert client_record.last_name.encode() not in page


def test_a_consultant_sees_no_overdue_resident_of_another_municipality(
    client, as_user, client_record, client_elsewhere, cab, agreement, reinaerde
):
    own = propose(client_record, cab, days_ago=9)
    propose(client_elsewhere, cab, days_ago=9)
    as_user("consultant")
    response = client.get(reverse("trajectories:partner_overdue", args=[reinaerde.pk]))
    assert response.status_code == 200
    assert response.context["overdue_count"] == 2
    assert response.context["overdue"] == [(own, client_record)]
    page = response.content.decode()
    assert "2 voorstellen wachten langer dan de afgesproken reactietermijn." in page
    assert client_record.sort_name in page
    assert "Elders" not in page


def test_a_partner_without_overdue_proposals_says_so(client, as_user, reinaerde, agreement):
    as_user("manager")
    page = client.get(reverse("trajectories:partner_overdue", args=[reinaerde.pk])).content
    assert b"Geen voorstel wacht langer dan de afgesproken reactietermijn." in page
