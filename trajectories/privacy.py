"""The resident's file under the AVG (GDPR): closing it, everything held about the resident
for an inzageverzoek (art. 15), and, once the retention period after closing has passed,
anonymisation that keeps the anonymous figures reports count."""

from collections import defaultdict
from datetime import date, datetime

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.models import REMOVED, AccessLog, Client, Share

from .models import (
    AbsenceReport,
    Action,
    Assessment,
    Case,
    CaseNote,
    Diagnosis,
    DomainScore,
    FormDraft,
    Goal,
    Intake,
    Placement,
    PlanOfAction,
    Reevaluation,
    Referral,
    StepReached,
    Transition,
)


def close_file(client, on, reason):
    """Close the resident's file, once nothing is under way: its retention period starts."""
    if client.placements.open().exists():
        raise ValidationError(_("End or withdraw the open placements first."))
    with transaction.atomic():
        client.close(on, reason)
        Case.objects.refresh(client.pk)


def reopen_file(client):
    """Open a closed file again: the resident counts as in the cycle once more."""
    with transaction.atomic():
        client.reopen()
        Case.objects.refresh(client.pk)


# Every kind of record held about a resident, in the order of the inzageverzoek:
# (key, model, the resident's records of that kind).
KINDS = [
    ("resident", Client, lambda client: Client.objects.filter(pk=client.pk)),
    ("case", Case, lambda client: Case.objects.filter(pk=client.pk)),
    ("intakes", Intake, lambda client: client.intakes.all()),
    ("assessments", Assessment, lambda client: client.assessments.all()),
    (
        "domain_scores",
        DomainScore,
        lambda client: DomainScore.objects.filter(assessment__client=client).order_by(
            "assessment", "life_domain__position"
        ),
    ),
    ("diagnoses", Diagnosis, lambda client: client.diagnoses.all()),
    ("plans", PlanOfAction, lambda client: client.plans.all()),
    ("goals", Goal, lambda client: Goal.objects.filter(plan__client=client)),
    ("actions", Action, lambda client: Action.objects.filter(goal__plan__client=client)),
    ("placements", Placement, lambda client: client.placements.all()),
    ("transitions", Transition, lambda client: client.transitions.all()),
    (
        "absence_reports",
        AbsenceReport,
        lambda client: AbsenceReport.objects.filter(placement__client=client),
    ),
    (
        "steps_reached",
        StepReached,
        # A step is named after its work-learning line.
        lambda client: client.steps_reached.select_related("step__line"),
    ),
    ("reevaluations", Reevaluation, lambda client: client.reevaluations.all()),
    ("case_notes", CaseNote, lambda client: client.notes.all()),
    ("referrals", Referral, lambda client: client.referrals.all()),
    ("shares", Share, lambda client: client.shares.all()),
    ("form_drafts", FormDraft, lambda client: FormDraft.objects.filter(client=client)),
    # Who looked at the file: the resident has a right to know that too.
    ("access_log", AccessLog, lambda client: AccessLog.objects.filter(client=client)),
]
# The kinds of which a resident has one.
TITLES = {
    "resident": gettext_lazy("Personal details"),
    "case": gettext_lazy("Where the case stands"),
}
# The records of the file refer to each other by number, to anything else by its name.
RECORDS = {model for _key, model, _records in KINDS}
# The resident themself (every record is theirs) and columns kept for the software only.
LEFT_OUT = {"client", "search_name", "version"}


def fields_of(model):
    fields = [*model._meta.concrete_fields, *model._meta.many_to_many]
    return [field for field in fields if field.name not in LEFT_OUT]


def everything_held(client):
    """Everything fermwerk holds about a resident, per kind of record, as
    {kind: [{field name: value}]} with values JSON can take (dates aside). One query per kind
    and per many-to-many field, whatever the file holds, an empty kind too."""
    held = {}
    for key, model, records in KINDS:
        fields = fields_of(model)
        named = [
            f.name
            for f in fields
            if f.is_relation and not f.many_to_many and f.related_model not in RECORDS
        ]
        links = {f.name: linked(f, records(client)) for f in fields if f.many_to_many}
        rows = records(client).select_related(*named) if named else records(client)
        held[key] = [
            {
                field.name: links[field.name][row.pk]
                if field.many_to_many
                else value_of(row, field)
                for field in fields
            }
            for row in rows
        ]
    return held


def linked(field, records):
    """{record pk: [names of what it links to]} for one many-to-many field of the records.
    One query however many records there are, none included: prefetch_related would skip
    the query for an empty list, and the count would depend on the file."""
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    order = [
        f"-{target}__{name[1:]}" if name.startswith("-") else f"{target}__{name}"
        for name in field.related_model._meta.ordering
    ]
    links = (
        through.objects.filter(**{f"{source}__in": records.values("pk")})
        .select_related(target)
        .order_by(*order, "pk")
    )
    names = defaultdict(list)
    for link in links:
        names[getattr(link, f"{source}_id")].append(str(getattr(link, target)))
    return names


def value_of(record, field):
    if field.is_relation:
        if field.related_model in RECORDS:
            return getattr(record, field.attname)
        related = getattr(record, field.name)
        return None if related is None else str(related)
    # A field with choices shows its label; so does a list of choices that has its own method.
    display = getattr(record, f"get_{field.name}_display", None)
    if display and getattr(record, field.attname):
        shown = display()
        return [str(item) for item in shown] if isinstance(shown, list) else str(shown)
    return getattr(record, field.attname)


def held_sections(held):
    """What everything_held gives, for people to read: [(title, records, one line each)],
    a record as [(label, text)] without the fields left empty."""
    sections = []
    for key, model, _records in KINDS:
        labels = {field.name: capfirst(field.verbose_name) for field in fields_of(model)}
        title = TITLES.get(key) or capfirst(model._meta.verbose_name_plural)
        shown = LINES.get(key, labels)
        rows = [
            [(labels[name], as_text(row[name])) for name in shown if not empty(row[name])]
            for row in held[key]
        ]
        sections.append((title, rows, key in LINES))
    return sections


# Kinds a file holds hundreds of, shown one line per record with these fields (the JSON
# export holds every field): a record of eight lines each would run to dozens of pages.
LINES = {"access_log": ["at", "username", "role", "organisation", "action", "detail", "reason"]}


def empty(value):
    return value is None or value in ("", [], {})


def as_text(value):
    if empty(value):
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value)
    if isinstance(value, dict):
        return "; ".join(f"{name}: {as_text(item)}" for name, item in value.items())
    if isinstance(value, list):
        return ", ".join(as_text(item) for item in value)
    return str(value)


# The texts typed into the file, per kind: (model, how it finds the resident, fields).
FREE_TEXT = [
    (Intake, "client", ["what_matters", "wishes", "contribution", "notes"]),
    (DomainScore, "assessment__client", ["note"]),
    (Diagnosis, "client", ["rationale"]),
    (Goal, "plan__client", ["description"]),
    (Action, "goal__plan__client", ["description", "responsible"]),
    (Placement, "client", ["end_note", "accepted_by_provider"]),
    (Transition, "client", ["motives", "blocker_note"]),
    (AbsenceReport, "placement__client", ["pattern"]),
    (StepReached, "client", ["note"]),
    (Reevaluation, "client", ["notes"]),
    (CaseNote, "client", ["text", "participants"]),
    (Referral, "client", ["question"]),
]


def removed(name):
    """The field's text replaced by REMOVED; an empty field stays empty."""
    return models.Case(
        models.When(**{name: ""}, then=models.Value("")), default=models.Value(REMOVED)
    )


@transaction.atomic
def anonymise(client, by, today=None):
    """Anonymise a resident whose file was closed longer ago than the retention period.

    Gone: what identifies them (see Client.anonymise_personal_details), every text typed
    into the file, drafts, shares, and every earlier version the history keeps. Kept: the
    dates, rungs, categories, placements and their provisions, and so the case's stage and
    the counts reports read. The access log keeps its rows: they name the resident by number.
    """
    client = Client.objects.past_retention(today).select_for_update().filter(pk=client.pk).first()
    if client is None:
        raise ValidationError(
            _("Only a file closed longer ago than the retention period can be anonymised.")
        )
    held = ids_with_history(client)
    # update(), not save(): a save would write each text into the history once more.
    for model, lookup, fields in FREE_TEXT:
        model.objects.filter(**{lookup: client}).update(**{name: removed(name) for name in fields})
    FormDraft.objects.filter(client=client).delete()
    client.shares.all().delete()
    client.anonymise_personal_details(today)
    forget_history(held)
    Case.objects.refresh(client.pk)
    AccessLog.objects.record(by, AccessLog.Action.ANONYMISE, clients=[client])
    return client


def ids_with_history(client):
    """{model: ids} of the resident's records of each kind that keeps a history, the records
    deleted earlier too: their history still holds them."""

    def ids(model, **lookup):
        return set(model.objects.filter(**lookup).values_list("pk", flat=True)) | set(
            model.history.filter(**lookup).values_list("id", flat=True)
        )

    assessments = ids(Assessment, client=client.pk)
    plans = ids(PlanOfAction, client=client.pk)
    goals = ids(Goal, plan__in=plans)
    return {
        Client: {client.pk},
        Intake: ids(Intake, client=client.pk),
        Assessment: assessments,
        DomainScore: ids(DomainScore, assessment__in=assessments),
        Diagnosis: ids(Diagnosis, client=client.pk),
        PlanOfAction: plans,
        Goal: goals,
        Action: ids(Action, goal__in=goals),
        Placement: ids(Placement, client=client.pk),
        AbsenceReport: ids(AbsenceReport, placement__client=client.pk),
        StepReached: ids(StepReached, client=client.pk),
        Transition: ids(Transition, client=client.pk),
        Reevaluation: ids(Reevaluation, client=client.pk),
        CaseNote: ids(CaseNote, client=client.pk),
        Referral: ids(Referral, client=client.pk),
        Share: ids(Share, client=client.pk),
    }


def forget_history(held):
    """Delete the earlier versions of these records, which keep the old names and texts, and
    the names the admin's log wrote down (its rows stay: who changed something, and when)."""
    content_types = ContentType.objects.get_for_models(*held)
    for model, ids in held.items():
        model.history.filter(id__in=ids).delete()
        LogEntry.objects.filter(
            content_type=content_types[model], object_id__in=[str(pk) for pk in ids]
        ).update(object_repr=REMOVED)
