"""The change history of a resident's file: every change to the personal details and to the
records of the case, field by field with the old and the new value, read from the history
django-simple-history keeps. One query per kind of record and one per kind of thing a value
names, whatever the number of changes."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.bsn import mask_bsn
from clients.models import Client, Part, Share

from .models import (
    Action,
    Assessment,
    CaseNote,
    Diagnosis,
    DomainScore,
    Goal,
    Intake,
    Placement,
    PlanOfAction,
    Reevaluation,
    Referral,
    Transition,
)

EMPTY = "–"


@dataclass
class Change:
    """One line of the history: a field changed, or (event) a whole record created or deleted."""

    at: datetime
    by: Model | None
    record: str
    field: str = ""
    old: str = ""
    new: str = ""
    event: str = ""


@dataclass
class Kind:
    """A kind of record in the resident's file and how its history reads."""

    model: type[Model]
    # The historical rows of one resident, in the order they were written.
    rows: object
    # The fields that tie a record to the resident (or to its parent): never changed, not shown.
    owner: tuple = ()
    # How a record is named: a text, with %(name)s for the name taken from the foreign key
    # `named_by` when given, else from the record's own text (its str). No text: the name alone.
    label: str = ""
    named_by: str = ""
    # {pk: the latest historical row of that record}, filled as the rows are read.
    latest: dict = field(default_factory=dict)


def kinds_of(client):
    """The kinds of record in a resident's file, each with the query for its history. Records
    below a plan or an assessment are found through their parents' history, so those of a
    deleted parent still show."""

    def history(model, **lookups):
        rows = model.history.filter(**lookups).select_related("history_user")
        return rows.order_by("history_date", "history_id")

    assessments = Assessment.history.filter(client_id=client.pk).values("id")
    plans = PlanOfAction.history.filter(client_id=client.pk).values("id")
    goals = Goal.history.filter(plan_id__in=plans).values("id")
    return [
        Kind(Client, history(Client, id=client.pk), label=gettext_lazy("Personal details")),
        Kind(Intake, history(Intake, client_id=client.pk), ("client",)),
        Kind(Assessment, history(Assessment, client_id=client.pk), ("client",)),
        Kind(
            DomainScore,
            history(DomainScore, assessment_id__in=assessments),
            ("assessment",),
            gettext_lazy("Score on %(name)s"),
            "life_domain",
        ),
        Kind(Diagnosis, history(Diagnosis, client_id=client.pk), ("client",)),
        Kind(PlanOfAction, history(PlanOfAction, client_id=client.pk), ("client",)),
        Kind(Goal, history(Goal, plan_id__in=plans), ("plan",), gettext_lazy("Goal: %(name)s")),
        Kind(
            Action, history(Action, goal_id__in=goals), ("goal",), gettext_lazy("Action: %(name)s")
        ),
        Kind(
            Placement,
            history(Placement, client_id=client.pk),
            ("client",),
            gettext_lazy("Placement in %(name)s"),
            "provision",
        ),
        Kind(Transition, history(Transition, client_id=client.pk), ("client",)),
        Kind(Reevaluation, history(Reevaluation, client_id=client.pk), ("client",)),
        Kind(CaseNote, history(CaseNote, client_id=client.pk), ("client",)),
        Kind(
            Referral,
            history(Referral, client_id=client.pk),
            ("client",),
            gettext_lazy("Referral by %(name)s"),
            "organisation",
        ),
        Kind(
            Share,
            history(Share, client_id=client.pk),
            ("client",),
            gettext_lazy("Shared with %(name)s"),
            "organisation",
        ),
    ]


# Values stored as lists of choices, which a field's own choices don't describe.
LIST_CHOICES = {(Share, "parts"): Part.choices}


def client_history(client, show_bsn=False):
    """The changes to a resident's file, newest first, as a list of Change. The BSN shows
    masked unless `show_bsn`."""
    return History(client, show_bsn).changes()


class History:
    """Reads the history of one resident's file and puts it into words."""

    def __init__(self, client, show_bsn):
        self.kinds = kinds_of(client)
        self.show_bsn = show_bsn
        # {related model: {pk: its name}}, filled in bulk.
        self.names = {}

    def changes(self):
        # (sort key, kind, historical row, event, changed fields)
        entries = []
        wanted = defaultdict(set)
        for position, kind in enumerate(self.kinds):
            for row in kind.rows:
                before = kind.latest.get(row.id)
                kind.latest[row.id] = row
                key = (row.history_date, position, row.history_id)
                if row.history_type == "+":
                    entries.append((key, kind, row, _("created"), []))
                elif row.history_type == "-":
                    entries.append((key, kind, row, _("deleted"), []))
                elif before is None:
                    unknown = _("changed; the earlier version was not recorded")
                    entries.append((key, kind, row, unknown, []))
                else:
                    fields = self.changed_fields(kind, row, before)
                    if fields:
                        entries.append((key, kind, row, "", fields))
                    for name, old, new in fields:
                        related = kind.model._meta.get_field(name).related_model
                        if related is not None:
                            wanted[related].update(v for v in (old, new) if v is not None)
            if kind.named_by:
                link = kind.model._meta.get_field(kind.named_by)
                wanted[link.related_model].update(
                    getattr(row, link.attname) for row in kind.latest.values()
                )
        self.name_in_bulk(wanted)
        entries.sort(key=lambda entry: entry[0], reverse=True)
        return [
            change
            for _key, kind, row, event, fields in entries
            for change in self.lines(kind, row, event, fields)
        ]

    def changed_fields(self, kind, row, before):
        """[(field name, old value, new value)] in the order of the model's fields; ids, the
        resident's own link and what the system keeps (timestamps, search keys) left out."""
        delta = row.diff_against(before, excluded_fields=["id", *kind.owner])
        order = {each.name: index for index, each in enumerate(kind.model._meta.fields)}
        return [
            (change.field, change.old, change.new)
            for change in sorted(delta.changes, key=lambda change: order[change.field])
        ]

    def name_in_bulk(self, wanted):
        """Name what the values point to: one query per kind of thing, except the records of
        this file, which its own history names (deleted ones too)."""
        own = {kind.model: kind for kind in self.kinds}
        for model, pks in wanted.items():
            if model not in own:
                found = model._base_manager.in_bulk([pk for pk in pks if pk is not None])
                self.names[model] = {pk: str(thing) for pk, thing in found.items()}
        for kind in self.kinds:
            self.names[kind.model] = {pk: self.label(kind, row) for pk, row in kind.latest.items()}

    def label(self, kind, row):
        """A record's name as the history shows it, from its latest version."""
        if kind.named_by:
            link = kind.model._meta.get_field(kind.named_by)
            name = self.name_of(link.related_model, getattr(row, link.attname))
        else:
            name = str(row.instance)
        return str(kind.label) % {"name": name} if kind.label else name

    def lines(self, kind, row, event, fields):
        record = self.names[kind.model][row.id]
        if event:
            yield Change(row.history_date, row.history_user, record, event=event)
        for name, old, new in fields:
            yield Change(
                row.history_date,
                row.history_user,
                record,
                capfirst(kind.model._meta.get_field(name).verbose_name),
                self.display(kind.model, name, old),
                self.display(kind.model, name, new),
            )

    def name_of(self, model, pk):
        if pk is None:
            return EMPTY
        name = self.names.get(model, {}).get(pk)
        return name if name is not None else _("no longer on file (no. %(id)s)") % {"id": pk}

    def display(self, model, name, value):
        """A value as people read it: a choice by its label, a link by its name, a date as
        dd-mm-jjjj, a yes or no; nothing as a dash."""
        if value is None or value == "" or value == []:
            return EMPTY
        model_field = model._meta.get_field(name)
        if model_field.is_relation:
            return self.name_of(model_field.related_model, value)
        if (model, name) in LIST_CHOICES:
            labels = dict(LIST_CHOICES[model, name])
            return ", ".join(str(labels.get(item, item)) for item in value)
        if model_field.flatchoices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, datetime):
            return date_format(timezone.localtime(value), "d-m-Y H:i")
        if isinstance(value, date):
            return date_format(value, "d-m-Y")
        if model is Client and name == "bsn" and not self.show_bsn:
            return mask_bsn(value)
        return str(value)
