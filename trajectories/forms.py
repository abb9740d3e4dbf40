"""The forms of the cycle. Each validates input; the step itself is a method on the models."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from partners.models import Organisation
from provisions.models import ChainStep, Participation, Provision

from .models import (
    Action,
    Assessment,
    Blocker,
    CaseNote,
    Diagnosis,
    DomainScore,
    Goal,
    Intake,
    Intervention,
    LadderRung,
    LifeDomain,
    Placement,
    PlanOfAction,
    Reevaluation,
    ScoreLevel,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def today_field(label):
    return forms.DateField(label=label, initial=date.today, widget=DateInput)


# Dates of what has happened cannot lie ahead (a start is recorded on the day it happens);
# planned dates, such as an action's due date, may.
EVENT_DATES = {
    "held_on",
    "made_on",
    "happened_on",
    "accepted_on",
    "proposed_on",
    "start_on",
    "end_on",
}
EARLIEST_DATE = date(1950, 1, 1)
YEARS_AHEAD = 10


def check_date(name, value):
    today = date.today()
    if value < EARLIEST_DATE:
        raise ValidationError(_("Check the year: this date lies too far back."))
    if name in EVENT_DATES and value > today:
        raise ValidationError(_("This date lies in the future; give the day it happened."))
    if value > today.replace(year=today.year + YEARS_AHEAD, day=min(today.day, 28)):
        raise ValidationError(_("Check the year: this date lies too far ahead."))


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses keys no row can have; SQLite raises OverflowError on them in an IN lookup."""

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except OverflowError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": "…"}
            ) from None


class CycleFormMixin:
    """A step form for one resident, typed by one user; it can be restored from a draft."""

    optional_marker = True

    def __init__(self, client, user, *args, **kwargs):
        self.client, self.user = client, user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField) and cleaned.get(name):
                try:
                    check_date(name, cleaned[name])
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned

    @staticmethod
    def initial_from_draft(data):
        """Turn a saved draft ({name: [values]}) back into initial values for the fields."""
        return {name: values if len(values) > 1 else values[0] for name, values in data.items()}

    def save_or_explain(self):
        """Save in one transaction; a rule of the cycle that says no becomes a form error."""
        try:
            with transaction.atomic():
                return self.save()
        except IntegrityError:
            # A rule the database holds was broken in between, by someone else at the same time.
            self.add_error(
                None, _("Someone changed this case at the same moment. Check it and try again.")
            )
            return None
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, messages in error.error_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
            else:
                self.add_error(None, error)
            return None


class CycleForm(CycleFormMixin, forms.Form):
    pass


class ModelCycleForm(CycleFormMixin, forms.ModelForm):
    pass


class AssessmentFields(forms.Form):
    """The ladder rungs now and attainable, and an optional score and note per life domain."""

    current_rung = forms.ModelChoiceField(
        LadderRung.objects.all(),
        label=_("Current rung on the participation ladder"),
        empty_label=_("Choose a rung"),
    )
    attainable_rung = forms.ModelChoiceField(
        LadderRung.objects.all(),
        label=_("Attainable rung"),
        required=False,
        empty_label=_("Not assessed"),
    )

    def add_domain_fields(self, previous=None):
        """One optional score and note per life domain; `previous` scores are shown beside them."""
        self.domains = list(LifeDomain.objects.all())
        self.previous_scores = (
            {score.life_domain_id: score for score in previous.scores.all()} if previous else {}
        )
        levels = list(ScoreLevel.objects.all())
        for domain in self.domains:
            self.fields[f"score_{domain.pk}"] = forms.TypedChoiceField(
                label=_("Score for %(domain)s") % {"domain": domain.name},
                choices=[("", _("Not asked"))] + [(level.pk, str(level)) for level in levels],
                coerce=int,
                required=False,
                empty_value=None,
            )
            self.fields[f"note_{domain.pk}"] = forms.CharField(
                label=_("Note on %(domain)s") % {"domain": domain.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def domain_groups(self):
        """[(form of participation, [(domain, score field, note field, previous score)])]."""
        groups = []
        for participation in Participation:
            rows = [
                (
                    domain,
                    self[f"score_{domain.pk}"],
                    self[f"note_{domain.pk}"],
                    self.previous_scores.get(domain.pk),
                )
                for domain in self.domains
                if domain.participation == participation
            ]
            groups.append((participation.label, rows))
        return groups

    def clean(self):
        cleaned = super().clean()
        current, attainable = cleaned.get("current_rung"), cleaned.get("attainable_rung")
        if current and attainable and attainable.number < current.number:
            self.add_error(
                "attainable_rung", _("The attainable rung cannot be below the current rung.")
            )
        for domain in self.domains:
            if cleaned.get(f"note_{domain.pk}", "").strip() and not cleaned.get(
                f"score_{domain.pk}"
            ):
                self.add_error(
                    f"score_{domain.pk}", _("Give a score with this note, or leave the note out.")
                )
        return cleaned

    def save_assessment(self, on, intake=None):
        data = self.cleaned_data
        assessment = Assessment.objects.create(
            client=self.client,
            intake=intake,
            assessed_on=on,
            assessed_by=self.user,
            current_rung=data["current_rung"],
            attainable_rung=data["attainable_rung"],
        )
        DomainScore.objects.bulk_create(
            DomainScore(
                assessment=assessment,
                life_domain=domain,
                level_id=data[f"score_{domain.pk}"],
                note=data[f"note_{domain.pk}"].strip(),
            )
            for domain in self.domains
            if data.get(f"score_{domain.pk}")
        )
        return assessment


class IntakeForm(AssessmentFields, CycleForm):
    held_on = today_field(_("Date of the intake"))
    what_matters = forms.CharField(
        label=_("What matters to me"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    wishes = forms.CharField(
        label=_("What I want to do"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    contribution = forms.CharField(
        label=_("What I can contribute"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    notes = forms.CharField(
        label=_("Consultant's notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    field_order = ["held_on", "what_matters", "wishes", "contribution", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_domain_fields()

    def clean(self):
        cleaned = super().clean()
        own_words = ("what_matters", "wishes", "contribution")
        if not any(cleaned.get(name, "").strip() for name in own_words):
            raise ValidationError(
                _("Write down at least one thing in the resident's own words."),
                code="no_own_words",
            )
        return cleaned

    def save(self):
        data = self.cleaned_data
        intake = Intake.objects.create(
            client=self.client,
            held_on=data["held_on"],
            consultant=self.user,
            what_matters=data["what_matters"].strip(),
            wishes=data["wishes"].strip(),
            contribution=data["contribution"].strip(),
            notes=data["notes"].strip(),
        )
        self.save_assessment(data["held_on"], intake=intake)
        self.client.refresh_stage()
        return intake


def interventions_field(participation):
    return ModelMultipleChoiceField(
        Intervention.objects.filter(participation=participation, is_active=True),
        label=_("Interventions for %(participation)s")
        % {"participation": participation.label.lower()},
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class DiagnosisForm(ModelCycleForm):
    interventions_social = interventions_field(Participation.SOCIAL)
    interventions_societal = interventions_field(Participation.SOCIETAL)
    interventions_economic = interventions_field(Participation.ECONOMIC)

    class Meta:
        model = Diagnosis
        fields = ["made_on", "category", "perspective", "target_rung", "rationale"]
        widgets = {
            "made_on": DateInput,
            "perspective": forms.RadioSelect,
            "rationale": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, client, user, *args, **kwargs):
        kwargs.setdefault(
            "instance", Diagnosis(client=client, consultant=user, made_on=date.today())
        )
        super().__init__(client, user, *args, **kwargs)
        self.fields["perspective"].choices = list(self.fields["perspective"].choices)[1:]

    @property
    def intervention_fields(self):
        return [self[f"interventions_{p}"] for p in Participation.values]

    def save(self):
        diagnosis = super().save()
        diagnosis.interventions.set(
            [i for p in Participation.values for i in self.cleaned_data[f"interventions_{p}"]]
        )
        self.client.refresh_stage()
        return diagnosis


class GoalForm(ModelCycleForm):
    class Meta:
        model = Goal
        fields = ["description", "participation"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def save(self):
        plan = self.client.plans.first()
        if plan is None:
            plan = PlanOfAction(client=self.client, drawn_up_on=date.today(), consultant=self.user)
            plan.full_clean()
            plan.save()
        self.instance.plan = plan
        goal = super().save()
        self.client.refresh_stage()
        return goal


class ActionForm(ModelCycleForm):
    class Meta:
        model = Action
        fields = ["goal", "description", "responsible_organisation", "responsible", "due_on"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "due_on": DateInput}

    def __init__(self, client, user, *args, **kwargs):
        super().__init__(client, user, *args, **kwargs)
        self.fields["goal"].queryset = Goal.objects.filter(plan__client=client)
        self.fields["goal"].empty_label = None
        self.fields["responsible_organisation"].queryset = Organisation.objects.order_by("name")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("responsible_organisation") and not cleaned.get("responsible"):
            self.add_error(
                "responsible", _("Name who is responsible: an organisation or a person.")
            )
        return cleaned


class ActionStatusForm(ModelCycleForm):
    class Meta:
        model = Action
        fields = ["status"]


class ProvisionFilterForm(forms.Form):
    """Narrow the provisions to choose from; the URL keeps the choice."""

    chain_step = forms.ModelChoiceField(
        ChainStep.objects.all(),
        required=False,
        label=_("Chain step"),
        empty_label=_("All chain steps"),
    )
    all_municipalities = forms.BooleanField(
        required=False, label=_("Also provisions outside the resident's municipality")
    )
    free_only = forms.BooleanField(required=False, label=_("Only with a free place"))

    def __init__(self, *args, client, **kwargs):
        self.client = client
        super().__init__(*args, **kwargs)

    def provisions(self):
        provisions = Provision.objects.with_occupancy().select_related(
            "chain_step", "provider", "municipality"
        )
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if not data.get("all_municipalities"):
            provisions = provisions.serving(self.client.municipality_id)
        if data.get("chain_step"):
            provisions = provisions.filter(chain_step=data["chain_step"])
        if data.get("free_only"):
            provisions = provisions.filter(free_places__gt=0)
        return provisions


class ProposeForm(CycleForm):
    provision = forms.ModelChoiceField(
        Provision.objects.none(), label=_("Provision"), widget=forms.RadioSelect
    )
    proposed_on = today_field(_("Proposed on"))

    def __init__(self, client, user, *args, provisions=None, **kwargs):
        super().__init__(client, user, *args, **kwargs)
        self.fields["provision"].queryset = provisions
        self.fields["provision"].empty_label = None

    def save(self):
        data = self.cleaned_data
        return Placement.propose(self.client, data["provision"], data["proposed_on"], self.user)


class PlacementStepForm(CycleForm):
    """A form that moves one placement a step on."""

    def __init__(self, client, user, placement, *args, **kwargs):
        self.placement = placement
        super().__init__(client, user, *args, **kwargs)


class AcceptForm(PlacementStepForm):
    accepted_on = today_field(_("Accepted on"))
    accepted_by_provider = forms.CharField(
        label=_("Accepted on the word of"),
        max_length=150,
        help_text=_("Who at the provider agreed, for example by phone or email."),
    )

    def save(self):
        data = self.cleaned_data
        self.placement.accept(data["accepted_on"], data["accepted_by_provider"].strip())
        return self.placement


class StartForm(PlacementStepForm):
    start_on = today_field(_("Start date"))

    def save(self):
        self.placement.activate(self.cleaned_data["start_on"])
        return self.placement


class OfferForm(PlacementStepForm):
    proposed_on = today_field(_("Proposed on"))

    def save(self):
        self.placement.offer_free_place(self.cleaned_data["proposed_on"])
        return self.placement


class EndForm(PlacementStepForm):
    end_on = today_field(_("End date"))
    end_reason = forms.ChoiceField(
        label=_("Reason for ending"),
        choices=[("", _("Choose a reason"))]
        + [c for c in Placement.EndReason.choices if c[0] != Placement.EndReason.TRANSITION],
    )
    end_note = forms.CharField(
        label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def save(self):
        data = self.cleaned_data
        self.placement.end(data["end_on"], data["end_reason"], data["end_note"].strip())
        return self.placement


class TransitionForm(PlacementStepForm):
    provision = forms.ModelChoiceField(Provision.objects.none(), label=_("Move to provision"))
    start_on = today_field(_("Start in the new provision on"))
    motives = forms.CharField(
        label=_("Motives for the move"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What motivates the move, in the resident's words and yours."),
    )
    blockers = ModelMultipleChoiceField(
        Blocker.objects.filter(is_active=True),
        label=_("Blockers"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("What stood in the way or slowed the move down."),
    )
    blocker_note = forms.CharField(
        label=_("Other blockers"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provision"].queryset = (
            Provision.objects.serving(self.client.municipality_id)
            .exclude(pk=self.placement.provision_id)
            .select_related("chain_step")
        )
        self.fields["provision"].label_from_instance = lambda provision: (
            f"{provision.chain_step}: {provision}"
        )

    def save(self):
        data = self.cleaned_data
        return self.placement.move_to(
            data["provision"],
            data["start_on"],
            data["motives"].strip(),
            data["blockers"],
            data["blocker_note"].strip(),
            by=self.user,
        )


class ReevaluationForm(AssessmentFields, CycleForm):
    placement = forms.ModelChoiceField(Placement.objects.none(), label=_("Placement"))
    held_on = today_field(_("Date of the re-evaluation"))
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Reevaluation.Decision.choices, widget=forms.RadioSelect
    )
    end_reason = forms.ChoiceField(
        label=_("Reason for ending"),
        choices=[("", _("Choose a reason"))]
        + [c for c in Placement.EndReason.choices if c[0] != Placement.EndReason.TRANSITION],
        required=False,
        help_text=_("Only when the decision is to end the placement."),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    field_order = ["placement", "held_on"]

    def __init__(self, client, user, *args, **kwargs):
        super().__init__(client, user, *args, **kwargs)
        recent = [p.pk for p in client.placements.select_related("provision") if p.is_recent()]
        self.fields["placement"].queryset = Placement.objects.filter(pk__in=recent).select_related(
            "provision"
        )
        self.fields["placement"].empty_label = None
        self.previous = client.assessments.select_related("current_rung").first()
        if self.previous and not self.is_bound:
            self.fields["current_rung"].initial = self.previous.current_rung_id
            self.fields["attainable_rung"].initial = self.previous.attainable_rung_id
        self.add_domain_fields(previous=self.previous)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Reevaluation.Decision.END and not cleaned.get("end_reason"):
            self.add_error("end_reason", _("Give the reason for ending the placement."))
        return cleaned

    def save(self):
        data = self.cleaned_data
        # The movement is measured from the assessment before this re-evaluation's own date,
        # also when it is entered after a later one.
        before = (
            self.client.assessments.filter(assessed_on__lte=data["held_on"])
            .select_related("current_rung")
            .first()
        )
        reevaluation = Reevaluation(
            client=self.client,
            placement=data["placement"],
            held_on=data["held_on"],
            consultant=self.user,
            decision=data["decision"],
            notes=data["notes"].strip(),
            rung_before=before.current_rung if before else None,
        )
        reevaluation.full_clean(exclude=["assessment"])
        reevaluation.assessment = self.save_assessment(data["held_on"])
        reevaluation.save()
        reevaluation.apply_decision(data["end_reason"])
        return reevaluation


class CaseNoteForm(ModelCycleForm):
    class Meta:
        model = CaseNote
        fields = ["kind", "happened_on", "text", "participants"]
        widgets = {
            "happened_on": DateInput,
            "text": forms.Textarea(attrs={"rows": 3}),
            "participants": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, client, user, *args, **kwargs):
        kwargs.setdefault(
            "instance", CaseNote(client=client, author=user, happened_on=date.today())
        )
        super().__init__(client, user, *args, **kwargs)
