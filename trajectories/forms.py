"""The forms of the cycle. Each validates input; the step itself is a method on the models,
and each rule is written there once (field validators, clean(), the step methods)."""

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from clients.bsn import normalise_bsn, validate_bsn
from clients.forms import DateInput
from clients.models import MAX_SEARCH_WORDS, Client, ConsentForm
from partners.forms import ShortListChoiceField
from partners.models import Municipality, Organisation, Role, User
from provisions.models import ChainStep, Participation, Provision, WorkLearningStep

from .chain_flows import ChainFlows
from .dashboard import Dashboard
from .models import (
    SHORT_TEXT,
    AbsenceReport,
    Action,
    Assessment,
    Blocker,
    BulkExport,
    Case,
    CaseNote,
    Category,
    Diagnosis,
    DomainScore,
    FlowCount,
    FlowKind,
    Goal,
    Intake,
    Intervention,
    LadderRung,
    LifeDomain,
    Placement,
    PlanOfAction,
    Reevaluation,
    Referral,
    ScoreLevel,
    Stage,
    StepReached,
    Transition,
    add_months,
    validate_past_date,
)
from .privacy import close_file


def date_field(model, name, label):
    """The model's date field as a form field, today filled in, with the model's rules."""
    field = model._meta.get_field(name)
    return field.formfield(
        label=label,
        initial=date.today,
        widget=DateInput,
        required=True,
        validators=field.validators,
    )


def text_field(model, name, label, rows=3, required=False, **kwargs):
    """The model's text field as a form field (with its maximum length), as a text area."""
    return model._meta.get_field(name).formfield(
        label=label, widget=forms.Textarea(attrs={"rows": rows}), required=required, **kwargs
    )


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

    current_rung = ShortListChoiceField(
        LadderRung.objects.all(),
        label=_("Current rung on the participation ladder"),
        empty_label=_("Choose a rung"),
    )
    attainable_rung = ShortListChoiceField(
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
            self.fields[f"note_{domain.pk}"] = text_field(
                DomainScore, "note", _("Note on %(domain)s") % {"domain": domain.name}, rows=2
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
        # The model's rule, run here too so that its message comes with the others at once.
        current, attainable = cleaned.get("current_rung"), cleaned.get("attainable_rung")
        if current and attainable:
            try:
                Assessment(current_rung=current, attainable_rung=attainable).clean()
            except ValidationError as error:
                self.add_error(None, error)
        for domain in self.domains:
            if cleaned.get(f"note_{domain.pk}", "").strip() and not cleaned.get(
                f"score_{domain.pk}"
            ):
                self.add_error(
                    f"score_{domain.pk}", _("Give a score with this note, or leave the note out.")
                )
        return cleaned

    def assessment(self):
        """The arguments of Assessment.record that this form holds."""
        data = self.cleaned_data
        levels = {level.pk: level for level in ScoreLevel.objects.all()}
        return {
            "current_rung": data["current_rung"],
            "attainable_rung": data["attainable_rung"],
            "scores": [
                (domain, levels[data[f"score_{domain.pk}"]], data[f"note_{domain.pk}"].strip())
                for domain in self.domains
                if data.get(f"score_{domain.pk}")
            ],
        }


class IntakeForm(AssessmentFields, CycleForm):
    held_on = date_field(Intake, "held_on", _("Date of the intake"))
    what_matters = text_field(Intake, "what_matters", _("What matters to me"))
    wishes = text_field(Intake, "wishes", _("What I want to do"))
    contribution = text_field(Intake, "contribution", _("What I can contribute"))
    notes = text_field(Intake, "notes", _("Consultant's notes"))

    field_order = ["held_on", "what_matters", "wishes", "contribution", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_domain_fields()

    def clean(self):
        cleaned = super().clean()
        try:
            Intake(**{name: cleaned.get(name, "") for name in Intake.OWN_WORDS}).clean()
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned

    def save(self):
        data = self.cleaned_data
        return Intake.hold(
            self.client,
            data["held_on"],
            self.user,
            self.assessment(),
            **{name: data[name].strip() for name in [*Intake.OWN_WORDS, "notes"]},
        )


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
        chosen = [i for p in Participation.values for i in self.cleaned_data[f"interventions_{p}"]]
        return self.instance.make(chosen)


class GoalForm(ModelCycleForm):
    class Meta:
        model = Goal
        fields = ["description", "participation"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def save(self):
        data = self.cleaned_data
        return PlanOfAction.add_goal(
            self.client, self.user, data["description"], data["participation"]
        )


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

    def save(self):
        return self.instance.add()


class ActionStatusForm(ModelCycleForm):
    # The status the user saw: a change from a status someone else has changed since is refused.
    seen_status = forms.ChoiceField(choices=Action.Status.choices, widget=forms.HiddenInput)

    class Meta:
        model = Action
        fields = ["status"]

    def save(self):
        self.instance.set_status(self.cleaned_data["status"], seen=self.cleaned_data["seen_status"])
        return self.instance


class ProvisionFilterForm(forms.Form):
    """Narrow the provisions to choose from; the URL keeps the choice."""

    chain_step = ShortListChoiceField(
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
    proposed_on = date_field(Placement, "proposed_on", _("Proposed on"))

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
    accepted_on = date_field(Placement, "accepted_on", _("Accepted on"))
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
    start_on = date_field(Placement, "start_on", _("Start date"))

    def save(self):
        self.placement.activate(self.cleaned_data["start_on"])
        return self.placement


class OfferForm(PlacementStepForm):
    proposed_on = date_field(Placement, "proposed_on", _("Proposed on"))

    def save(self):
        self.placement.offer_free_place(self.cleaned_data["proposed_on"])
        return self.placement


class EndForm(PlacementStepForm):
    end_on = date_field(Placement, "end_on", _("End date"))
    end_reason = forms.ChoiceField(
        label=_("Reason for ending"),
        choices=[("", _("Choose a reason"))]
        + [c for c in Placement.EndReason.choices if c[0] != Placement.EndReason.TRANSITION],
    )
    end_note = text_field(Placement, "end_note", _("Explanation"), rows=2)

    def save(self):
        data = self.cleaned_data
        self.placement.end(data["end_on"], data["end_reason"], data["end_note"].strip())
        return self.placement


class TransitionForm(PlacementStepForm):
    provision = forms.ModelChoiceField(Provision.objects.none(), label=_("Move to provision"))
    start_on = date_field(Placement, "start_on", _("Start in the new provision on"))
    motives = text_field(
        Transition,
        "motives",
        _("Motives for the move"),
        required=True,
        help_text=_("What motivates the move, in the resident's words and yours."),
    )
    blockers = ModelMultipleChoiceField(
        Blocker.objects.filter(is_active=True),
        label=_("Blockers"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("What stood in the way or slowed the move down."),
    )
    blocker_note = text_field(Transition, "blocker_note", _("Other blockers"), rows=2)

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
    held_on = date_field(Reevaluation, "held_on", _("Date of the re-evaluation"))
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
    notes = text_field(Reevaluation, "notes", _("Notes"))

    field_order = ["placement", "held_on"]

    def __init__(self, client, user, *args, **kwargs):
        super().__init__(client, user, *args, **kwargs)
        self.fields["placement"].queryset = client.placements.recent().select_related("provision")
        self.fields["placement"].empty_label = None
        self.previous = client.assessments.select_related("current_rung").first()
        if self.previous and not self.is_bound:
            self.fields["current_rung"].initial = self.previous.current_rung_id
            self.fields["attainable_rung"].initial = self.previous.attainable_rung_id
        self.add_domain_fields(previous=self.previous)

    def save(self):
        data = self.cleaned_data
        return Reevaluation.hold(
            self.client,
            data["placement"],
            data["held_on"],
            self.user,
            data["decision"],
            self.assessment(),
            notes=data["notes"].strip(),
            end_reason=data["end_reason"],
        )


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

    def save(self):
        return self.instance.record()


class StepReachedForm(ModelCycleForm):
    """A step of a work-learning line the resident reached; only steps not reached yet."""

    class Meta:
        model = StepReached
        fields = ["step", "reached_on", "note"]
        widgets = {"reached_on": DateInput, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, client, user, *args, **kwargs):
        kwargs.setdefault(
            "instance", StepReached(client=client, recorded_by=user, reached_on=date.today())
        )
        super().__init__(client, user, *args, **kwargs)
        step = self.fields["step"]
        step.queryset = (
            WorkLearningStep.objects.exclude(reached_by__client=client)
            .select_related("line")
            .order_by("line__name", "position")
        )
        step.empty_label = _("Choose a step")
        step.help_text = _("Steps the resident reached already are not listed.")

    def save(self):
        self.instance.save()
        return self.instance


class ClientFilterForm(forms.Form):
    """Search and filters of a list of residents; they live in the URL."""

    q = forms.CharField(
        required=False,
        max_length=100,
        label=_("Search by name, BSN or date of birth (dd-mm-yyyy)"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    stage = forms.ChoiceField(
        required=False, label=_("Stage"), choices=[("", _("All stages"))] + Stage.choices
    )
    category = ShortListChoiceField(
        Category.objects.all(),
        required=False,
        label=_("Category"),
        empty_label=_("All categories"),
        to_field_name="number",
    )
    municipality = ShortListChoiceField(
        Municipality.objects.all(),
        required=False,
        label=_("Municipality"),
        empty_label=_("All municipalities"),
    )
    chain_step = ShortListChoiceField(
        ChainStep.objects.all(),
        required=False,
        label=_("Placed at chain step"),
        empty_label=_("All chain steps"),
        to_field_name="position",
    )
    attention = forms.BooleanField(required=False, label=_("Only overdue, stalled or a place free"))

    def clean_q(self):
        query = " ".join(self.cleaned_data["q"].split())
        if len(query.split()) > MAX_SEARCH_WORDS:
            raise ValidationError(
                _("Search with at most %(count)s words.") % {"count": MAX_SEARCH_WORDS}
            )
        return query

    def apply(self, clients):
        """Narrow a queryset of residents by the search and by their stored case state."""
        if not self.is_valid():
            return clients.none() if "q" in self.errors else clients
        clients = clients.search(self.cleaned_data["q"])
        if self.cleaned_data["municipality"]:
            clients = clients.filter(municipality=self.cleaned_data["municipality"])
        cases = self.filter_cases(Case.objects.all())
        if cases.query.has_filters():
            # By the case's own state only: whose caseload it is, the residents say. Said of
            # the cases as well, PostgreSQL counts the consultant twice in its estimate.
            clients = clients.filter(pk__in=cases.values("pk"))
        return clients

    def filter_cases(self, cases):
        """Narrow a queryset of cases by every filter but the search (see `searches`)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("municipality"):
            cases = cases.filter(municipality=data["municipality"])
        if data.get("stage"):
            cases = cases.filter(stage=data["stage"])
        if data.get("category"):
            cases = cases.filter(category=data["category"])
        if data.get("chain_step"):
            cases = cases.filter(chain_step=data["chain_step"])
        if data.get("attention"):
            cases = cases.needing_attention()
        return cases

    def searches(self):
        """Whether the list is searched (or the search refused): only the residents' records
        can answer that, not their cases."""
        return not self.is_valid() or bool(self.cleaned_data["q"])

    def is_filtered(self):
        return self.is_valid() and any(self.cleaned_data.values())


class ReferralForm(forms.Form):
    """A social team refers a resident to the werkbedrijf (aanmelding), with their consent."""

    optional_marker = True

    first_name = forms.CharField(label=_("First name"), max_length=100)
    name_prefix = forms.CharField(label=_("Prefix"), max_length=20, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput)
    bsn = forms.CharField(
        label=_("BSN"),
        max_length=20,
        validators=[validate_bsn],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    municipality = forms.ModelChoiceField(Municipality.objects.none(), label=_("Municipality"))
    question = text_field(Referral, "question", _("The question for the werkbedrijf"), 4, True)
    consent_form = forms.ChoiceField(label=_("Consent given"), choices=ConsentForm.choices)
    consent_given_on = date_field(Referral, "consent_given_on", _("Consent given on"))
    consent = forms.BooleanField(
        label=_(
            "The resident agrees to this referral and to the werkbedrijf receiving these details."
        )
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["municipality"].queryset = Municipality.objects.filter(
            organisations__memberships__user=user
        ).distinct()

    def clean_bsn(self):
        return normalise_bsn(self.cleaned_data["bsn"])

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born > date.today() or born.year < 1900:
            raise ValidationError(_("Check the date of birth."))
        return born

    def save(self):
        """The referral lands on the resident's file: an existing one (the social team is not
        told whether the werkbedrijf knew them) or a new one in intake."""
        data = self.cleaned_data
        with transaction.atomic():
            client = Client.objects.select_for_update().filter(bsn=data["bsn"]).first()
            if client is None:
                client = Client.objects.create(
                    **{
                        name: data[name]
                        for name in (
                            "first_name",
                            "name_prefix",
                            "last_name",
                            "bsn",
                            "date_of_birth",
                            "municipality",
                        )
                    }
                )
                Case.objects.refresh(client.pk)
            return Referral.objects.create(
                client=client,
                organisation=self.user.organisation,
                referred_by=self.user,
                question=data["question"],
                consent_form=data["consent_form"],
                consent_given_on=data["consent_given_on"],
            )


class CloseFileForm(CycleForm):
    """Close the resident's file: on which day, and why."""

    closed_on = forms.DateField(
        label=_("Closed on"), initial=date.today, widget=DateInput, validators=[validate_past_date]
    )
    closed_reason = forms.ChoiceField(
        label=_("Reason for closing"),
        choices=[("", _("Choose a reason")), *Client.ClosedReason.choices],
    )

    def save(self):
        close_file(self.client, self.cleaned_data["closed_on"], self.cleaned_data["closed_reason"])
        return self.client


class BulkExportForm(forms.ModelForm):
    """Which residents' case summaries to export, and why: a bulk export is logged for every
    resident in it, with this reason."""

    class Meta:
        model = BulkExport
        fields = ["municipality", "consultant", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}
        labels = {"consultant": _("Caseload of")}
        help_texts = {
            "consultant": _("Leave empty for every resident of the municipality."),
            "reason": _("Why these summaries are needed; the access log keeps it with each one."),
        }

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.requested_by = user
        self.fields["municipality"].queryset = Client.objects.municipalities_visible_to(user)
        self.fields["municipality"].empty_label = _("All municipalities you see")
        self.fields["consultant"].queryset = (
            User.objects.filter(groups__name=Role.CONSULTANT, is_active=True)
            .distinct()
            .order_by("first_name", "last_name")
        )
        self.fields["consultant"].empty_label = _("Everyone's")
        self.fields["reason"].max_length = 1000

    def clean_reason(self):
        return " ".join(self.cleaned_data["reason"].split())

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("municipality") or cleaned.get("consultant")
        if not chosen and not {"municipality", "consultant"} & self.errors.keys():
            self.add_error("municipality", _("Choose a municipality, a caseload or both."))
        elif chosen and not self.errors and not self.selection(cleaned).residents().exists():
            self.add_error(None, _("There are no residents in this selection to export."))
        return cleaned

    def selection(self, cleaned):
        return BulkExport(
            requested_by=self.instance.requested_by,
            municipality=cleaned.get("municipality"),
            consultant=cleaned.get("consultant"),
        )

    def validate_constraints(self):
        # clean() says the same, next to the field.
        pass


# The longest period the dashboard draws month by month, and the earliest day it counts from.
MAX_PERIOD_MONTHS = 36
EARLIEST_REPORTED = date(2000, 1, 1)


class DashboardFilterForm(forms.Form):
    """The period and the residents the managers' dashboard counts; they live in the URL. An
    empty period is the last twelve months."""

    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=DateInput,
        help_text=_("Counted by whole months, from the first of this one."),
    )
    end = forms.DateField(label=_("Up to and including"), required=False, widget=DateInput)
    municipality = ShortListChoiceField(
        Municipality.objects.none(), required=False, label=_("Municipality")
    )
    consultant = ShortListChoiceField(User.objects.none(), required=False, label=_("Consultant"))
    chain_step = ShortListChoiceField(
        ChainStep.objects.all(),
        required=False,
        label=_("Chain step"),
        empty_label=_("All chain steps"),
        to_field_name="position",
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["municipality"].queryset = Client.objects.municipalities_visible_to(user)
        self.fields["municipality"].empty_label = _("All municipalities you see")
        self.fields["consultant"].queryset = (
            User.objects.filter(groups__name=Role.CONSULTANT)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.fields["consultant"].empty_label = _("All consultants")

    def clean(self):
        cleaned = super().clean()
        today = date.today()
        start, end = cleaned.get("start"), cleaned.get("end")
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        for name, day in (("start", start), ("end", end)):
            if day and day < EARLIEST_REPORTED:
                self.add_error(name, _("Choose a date from 2000 on."))
        if end and end > today:
            self.add_error("end", _("The period cannot end after today."))
        if self.errors:
            return cleaned
        end = end or today
        # The flows are counted per month: the period runs from the first of its first month
        # to the end of its last (today at the latest). Twelve months when no start is given.
        start = (start or add_months(end, -11)).replace(day=1)
        end = min(add_months(end.replace(day=1), 1) - timedelta(days=1), today)
        if start > end:
            self.add_error("end", _("The end of the period lies before its start."))
        elif add_months(start, MAX_PERIOD_MONTHS) <= end:
            self.add_error(
                "start",
                _("Choose a period of at most %(months)d months.") % {"months": MAX_PERIOD_MONTHS},
            )
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def dashboard(self):
        """The figures the filters ask for (the form must be valid)."""
        return Dashboard(self.user, **self.cleaned_data)


class FlowFilterForm(DashboardFilterForm):
    """The period and municipality of the flows along the chain; they live in the URL. The
    moves are counted per municipality only, so the dashboard's other filters do not apply."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        del self.fields["consultant"], self.fields["chain_step"]

    def flows(self):
        """The flows the filters ask for (the form must be valid)."""
        data = self.cleaned_data
        return ChainFlows(self.user, data["start"], data["end"], data["municipality"])


class BusinessCaseSelectionForm(forms.Form):
    """Which residents a business case counts: those with an open file in the municipalities
    the user may see, narrowed to one municipality, consultant (a caseload) or chain step.
    They live in the URL, as the dashboard's filters do."""

    gemeente = ShortListChoiceField(
        Municipality.objects.none(), required=False, label=_("Municipality")
    )
    consulent = ShortListChoiceField(User.objects.none(), required=False, label=_("Consultant"))
    trede = ShortListChoiceField(
        ChainStep.objects.all(),
        required=False,
        label=_("Chain step"),
        empty_label=_("All chain steps"),
        to_field_name="position",
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["gemeente"].queryset = Client.objects.municipalities_visible_to(user)
        self.fields["gemeente"].empty_label = _("All municipalities you see")
        self.fields["consulent"].queryset = (
            User.objects.filter(groups__name=Role.CONSULTANT)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.fields["consulent"].empty_label = _("All consultants")

    def residents(self):
        """How many residents the selection holds (the form must be valid): read from the
        counts every change keeps, as the dashboard reads them, so it costs the same at any
        size. Residents with an open file who had their intake; a closed file is not counted."""
        narrow = {
            field: value
            for field, value in [
                ("municipality", self.cleaned_data["gemeente"]),
                ("consultant", self.cleaned_data["consulent"]),
                ("chain_step", self.cleaned_data["trede"]),
            ]
            if value
        }
        counts = FlowCount.objects.filter(
            kind=FlowKind.IN_CYCLE,
            municipality__in=Client.objects.municipalities_visible_to(self.user),
            **narrow,
        )
        return counts.aggregate(residents=Sum("count"))["residents"] or 0


# What a provider's staff member fills in for a placement in one of their provisions.


class ProviderStepForm(CycleFormMixin, forms.Form):
    """A provider's answer or report on one placement, attributed to the staff member."""

    optional_marker = True

    def __init__(self, placement, user, *args, **kwargs):
        self.placement = placement
        super().__init__(placement.client, user, *args, **kwargs)


class ProviderAcceptForm(ProviderStepForm):
    accepted_on = date_field(Placement, "accepted_on", _("Accepted on"))

    def save(self):
        name = self.user.get_full_name() or self.user.get_username()
        self.placement.accept(self.cleaned_data["accepted_on"], name, by=self.user)
        return self.placement


class ProviderDeclineForm(ProviderStepForm):
    end_on = date_field(Placement, "end_on", _("Declined on"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the provision does not suit this resident now; the consultant reads it."),
    )

    def save(self):
        data = self.cleaned_data
        self.placement.decline(data["end_on"], data["reason"], by=self.user)
        return self.placement


class ProviderStartForm(ProviderStepForm):
    start_on = date_field(Placement, "start_on", _("Start date"))

    def save(self):
        self.placement.activate(self.cleaned_data["start_on"])
        return self.placement


class ProviderEndForm(ProviderStepForm):
    end_on = date_field(Placement, "end_on", _("End date"))
    end_reason = forms.ChoiceField(
        label=_("Reason for ending"),
        choices=[("", _("Choose a reason"))]
        + [
            choice
            for choice in Placement.EndReason.choices
            if choice[0] not in (Placement.EndReason.TRANSITION, Placement.EndReason.DECLINED)
        ],
    )
    end_note = text_field(Placement, "end_note", _("Explanation"), rows=2)

    def save(self):
        data = self.cleaned_data
        self.placement.end(data["end_on"], data["end_reason"], data["end_note"].strip())
        return self.placement


class AbsenceReportForm(ProviderStepForm):
    period_start = date_field(AbsenceReport, "period_start", _("From"))
    period_end = date_field(AbsenceReport, "period_end", _("Until"))
    days_absent = forms.IntegerField(label=_("Days absent"), min_value=0, max_value=366)
    pattern = text_field(
        AbsenceReport,
        "pattern",
        _("Pattern"),
        help_text=_("For example: absent every Monday, or late after the weekend."),
    )

    def save(self):
        report = AbsenceReport(placement=self.placement, reported_by=self.user, **self.cleaned_data)
        report.pattern = report.pattern.strip()
        report.full_clean(exclude=["placement", "reported_by"])
        report.save()
        return report


class CapacityForm(forms.Form):
    """The capacity of one of the provider's own provisions."""

    capacity_places = forms.IntegerField(label=_("Capacity (places)"), min_value=0, max_value=10000)

    def __init__(self, provision, *args, **kwargs):
        self.provision = provision
        kwargs.setdefault("initial", {"capacity_places": provision.capacity_places})
        super().__init__(*args, **kwargs)

    def save_or_explain(self):
        try:
            self.provision.set_capacity(self.cleaned_data["capacity_places"])
        except ValidationError as error:
            self.add_error(None, error)
            return None
        return self.provision
