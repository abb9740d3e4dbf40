"""The case timeline: every event of a resident's file in order, one query per kind of record."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.models import ALL_PARTS, Part

from .models import (
    Assessment,
    CaseNote,
    Diagnosis,
    Goal,
    Intake,
    Placement,
    Reevaluation,
    Referral,
    Transition,
)


class EventKind(models.TextChoices):
    NOTE = "note", gettext_lazy("Contacts and notes")
    CONFERENCE = "conference", gettext_lazy("Case conferences")
    ASSESSMENT = "assessment", gettext_lazy("Intakes and assessments")
    DIAGNOSIS = "diagnosis", gettext_lazy("Diagnoses")
    PLAN = "plan", gettext_lazy("Plan of action")
    PLACEMENT = "placement", gettext_lazy("Placements")
    TRANSITION = "transition", gettext_lazy("Transitions")
    REEVALUATION = "reevaluation", gettext_lazy("Re-evaluations")
    CHANGE = "change", gettext_lazy("Registration and personal details")
    REFERRAL = "referral", gettext_lazy("Referrals")


# The part of a case each kind of event belongs to, for those who see only the parts shared.
PART_OF = {
    EventKind.NOTE: Part.NOTES,
    EventKind.CONFERENCE: Part.NOTES,
    EventKind.ASSESSMENT: Part.ASSESSMENT,
    EventKind.DIAGNOSIS: Part.ASSESSMENT,
    EventKind.PLAN: Part.PLAN,
    EventKind.PLACEMENT: Part.PLACEMENTS,
    EventKind.TRANSITION: Part.PLACEMENTS,
    EventKind.REEVALUATION: Part.PLACEMENTS,
    EventKind.CHANGE: Part.SUMMARY,
    EventKind.REFERRAL: Part.SUMMARY,
}
NOTE_KINDS = {EventKind.NOTE, EventKind.CONFERENCE}


@dataclass
class Event:
    on: date
    kind: EventKind
    title: str
    text: str = ""
    by: object = None
    details: list = field(default_factory=list)
    # Orders events of one day: the moment it was recorded, when known.
    at: datetime | None = None

    @property
    def sort_key(self):
        return (
            self.on,
            self.at or timezone.make_aware(datetime.combine(self.on, datetime.min.time())),
        )


class TimelineFilterForm(forms.Form):
    kind = forms.MultipleChoiceField(
        choices=EventKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Show"),
    )

    def __init__(self, *args, parts=ALL_PARTS, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the kinds of event in the parts the user sees are offered.
        self.fields["kind"].choices = [
            (kind, label)
            for kind, label in EventKind.choices
            if PART_OF[kind] in parts or kind in NOTE_KINDS
        ]

    def kinds(self):
        if self.is_bound and self.is_valid() and self.cleaned_data["kind"]:
            return set(self.cleaned_data["kind"])
        return set(EventKind.values)


def case_timeline(client, kinds, parts=ALL_PARTS, user=None):
    """The events of one case, newest first, of the chosen kinds, and of those only the
    parts of the case the user may see (their own organisation's notes always)."""
    kinds = {kind for kind in kinds if PART_OF[kind] in parts or kind in NOTE_KINDS}
    notes_by = None if Part.NOTES in parts else user
    events = []
    for kind, collect in COLLECTORS:
        if kind & kinds:
            found = notes(client, notes_by) if collect is notes else collect(client)
            events.extend(event for event in found if event.kind in kinds)
    return sorted(events, key=lambda event: event.sort_key, reverse=True)


def notes(client, only_organisation_of=None):
    found = CaseNote.objects.filter(client=client).select_related("author", "organisation")
    if only_organisation_of is not None:
        found = found.filter(organisation__memberships__user=only_organisation_of)
    for note in found:
        conference = note.kind == CaseNote.Kind.CASE_CONFERENCE
        details = (
            [_("Participants: %(names)s") % {"names": note.participants}] if conference else []
        )
        if note.organisation:
            details.append(str(note.organisation))
        yield Event(
            note.happened_on,
            EventKind.CONFERENCE if conference else EventKind.NOTE,
            note.get_kind_display(),
            note.text,
            note.author,
            details,
            note.created_at,
        )


def referrals(client):
    for referral in Referral.objects.filter(client=client).select_related(
        "organisation", "referred_by"
    ):
        yield Event(
            timezone.localdate(referral.referred_at),
            EventKind.REFERRAL,
            _("Referred by %(organisation)s") % {"organisation": referral.organisation},
            referral.question,
            referral.referred_by,
            [
                _("Consent: %(form)s, %(date)s")
                % {
                    "form": referral.get_consent_form_display(),
                    "date": referral.consent_given_on.strftime("%d-%m-%Y"),
                }
            ],
            referral.referred_at,
        )


def assessments(client):
    for intake in Intake.objects.filter(client=client).select_related("consultant"):
        yield Event(
            intake.held_on,
            EventKind.ASSESSMENT,
            _("Brede intake"),
            intake.what_matters,
            intake.consultant,
        )
    for assessment in Assessment.objects.filter(client=client).select_related(
        "current_rung", "attainable_rung", "assessed_by"
    ):
        yield Event(
            assessment.assessed_on,
            EventKind.ASSESSMENT,
            _("Assessment"),
            _("Rung now: %(current)s; attainable: %(attainable)s")
            % {"current": assessment.current_rung, "attainable": assessment.attainable_rung or "–"},
            assessment.assessed_by,
        )


def diagnoses(client):
    for diagnosis in Diagnosis.objects.filter(client=client).select_related(
        "category", "consultant"
    ):
        yield Event(
            diagnosis.made_on,
            EventKind.DIAGNOSIS,
            _("Diagnosis: category %(category)s") % {"category": diagnosis.category},
            diagnosis.rationale,
            diagnosis.consultant,
            [diagnosis.get_perspective_display()],
        )


def plan(client):
    for goal in Goal.objects.filter(plan__client=client).select_related("plan__consultant"):
        yield Event(
            goal.plan.drawn_up_on, EventKind.PLAN, _("Goal"), goal.description, goal.plan.consultant
        )


def placements(client):
    for placement in Placement.objects.filter(client=client).select_related(
        "provision", "created_by"
    ):
        provision = placement.provision
        yield Event(
            placement.proposed_on,
            EventKind.PLACEMENT,
            _("Proposed: %(provision)s") % {"provision": provision},
            by=placement.created_by,
        )
        if placement.accepted_on:
            yield Event(
                placement.accepted_on,
                EventKind.PLACEMENT,
                _("Accepted by %(provision)s") % {"provision": provision},
                placement.accepted_by_provider,
            )
        if placement.start_on:
            yield Event(
                placement.start_on,
                EventKind.PLACEMENT,
                _("Started: %(provision)s") % {"provision": provision},
            )
        if placement.end_on:
            yield Event(
                placement.end_on,
                EventKind.PLACEMENT,
                _("Ended: %(provision)s") % {"provision": provision},
                placement.end_note,
                details=[placement.get_end_reason_display()],
            )


def transitions(client):
    for transition in (
        Transition.objects.filter(client=client)
        .select_related("from_placement__provision", "to_placement__provision", "recorded_by")
        .prefetch_related("blockers")
    ):
        blockers = [str(blocker) for blocker in transition.blockers.all()]
        if transition.blocker_note:
            blockers.append(transition.blocker_note)
        yield Event(
            transition.moved_on,
            EventKind.TRANSITION,
            _("Transition from %(from)s to %(to)s")
            % {
                "from": transition.from_placement.provision,
                "to": transition.to_placement.provision,
            },
            transition.motives,
            transition.recorded_by,
            [_("Blockers: %(blockers)s") % {"blockers": "; ".join(blockers)}] if blockers else [],
        )


def reevaluations(client):
    for reevaluation in Reevaluation.objects.filter(client=client).select_related(
        "placement__provision", "consultant", "rung_before", "assessment__current_rung"
    ):
        details = []
        movement = reevaluation.ladder_movement
        if movement is not None:
            details.append(_("Ladder movement: %(movement)+d") % {"movement": movement})
        yield Event(
            reevaluation.held_on,
            EventKind.REEVALUATION,
            _("Re-evaluation: %(decision)s") % {"decision": reevaluation.get_decision_display()},
            reevaluation.notes,
            reevaluation.consultant,
            details,
        )


def changes(client):
    """The registration and each change to the personal details, from the history
    django-simple-history keeps."""
    records = list(
        client.history.select_related("history_user").order_by("history_date", "history_id")
    )
    if records:
        first = records[0]
        yield Event(
            timezone.localdate(first.history_date),
            EventKind.CHANGE,
            _("Registered in fermwerk"),
            by=first.history_user,
            at=first.history_date,
        )
    for older, newer in zip(records, records[1:], strict=False):
        changed = newer.diff_against(older, excluded_fields=["updated_at"]).changed_fields
        if changed:
            labels = [str(client._meta.get_field(name).verbose_name) for name in changed]
            yield Event(
                timezone.localdate(newer.history_date),
                EventKind.CHANGE,
                _("Personal details changed"),
                ", ".join(labels),
                newer.history_user,
                at=newer.history_date,
            )


COLLECTORS = [
    ({EventKind.NOTE, EventKind.CONFERENCE}, notes),
    ({EventKind.ASSESSMENT}, assessments),
    ({EventKind.DIAGNOSIS}, diagnoses),
    ({EventKind.PLAN}, plan),
    ({EventKind.PLACEMENT}, placements),
    ({EventKind.TRANSITION}, transitions),
    ({EventKind.REEVALUATION}, reevaluations),
    ({EventKind.CHANGE}, changes),
    ({EventKind.REFERRAL}, referrals),
]
