from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from clients.admin import ClientAdmin, ResidentHistoryAdmin
from clients.models import AccessLog, Client
from provisions.admin import ProvisionAdmin
from provisions.models import Provision

from .models import (
    AbsenceReport,
    Action,
    Assessment,
    Blocker,
    BlockerCount,
    BulkExport,
    Case,
    CaseCount,
    CaseNote,
    Category,
    Diagnosis,
    DomainScore,
    FlowCount,
    Goal,
    Intake,
    Intervention,
    LadderRung,
    LifeDomain,
    MoveCount,
    Placement,
    PlanOfAction,
    Reevaluation,
    Referral,
    ScoreLevel,
    StepReached,
    Transition,
)


@admin.register(LadderRung, ScoreLevel, Category)
class NumberedInstrumentAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "name"]


@admin.register(LifeDomain)
class LifeDomainAdmin(SimpleHistoryAdmin):
    list_display = ["position", "name", "participation"]


@admin.register(Intervention)
class InterventionAdmin(admin.ModelAdmin):
    list_display = ["name", "participation", "is_active"]
    list_filter = ["participation", "is_active"]


@admin.register(Blocker)
class BlockerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]


class ClientRecordAdmin(ResidentHistoryAdmin):
    """Admin for a record of the cycle: only records of residents the user may see."""

    client_lookup = "client"
    list_select_related = ["client"]
    raw_id_fields = ["client"]
    search_fields = ["client__search_name", "=client__bsn"]
    show_full_result_count = False

    def get_queryset(self, request):
        visible = Client.objects.visible_to(request.user)
        return super().get_queryset(request).filter(**{f"{self.client_lookup}__in": visible})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        visible = self.get_queryset(request).filter(pk=object_id)
        client_id = visible.values_list(self.client_lookup, flat=True).first()
        if client_id and request.method == "GET":
            AccessLog.objects.record(
                request.user,
                AccessLog.Action.VIEW_ADMIN,
                clients=[Client(pk=client_id)],
                detail=f"{self.model._meta.verbose_name} {object_id}",
            )
        return response

    # Saving or deleting one record refreshes its case (CaseRecord); a bulk delete does not
    # go through the records, so the cases follow here.
    def delete_queryset(self, request, queryset):
        client_ids = list(queryset.values_list(self.client_lookup, flat=True).distinct())
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            Case.objects.refresh(*client_ids)
            if queryset.model is Placement:
                provision_ids = Provision.objects.values_list("pk", flat=True)
                Placement.objects.recount(*provision_ids)


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """The stored state of the cases, to look at: the cycle writes it, nobody edits it here."""

    list_display = ["client", "stage", "category", "next_due_on", "place_offerable"]
    list_filter = ["stage", "category", "place_offerable"]
    list_select_related = ["client", "category"]
    search_fields = ["client__search_name", "=client__bsn"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # A case goes with its resident: deleting one in the admin asks for permission per case.
    def has_delete_permission(self, request, obj=None):
        return obj is not None and super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        with transaction.atomic():
            Case.objects.filter(pk=obj.pk).forget()
            super().delete_model(request, obj)


class ReadOnlyCountAdmin(admin.ModelAdmin):
    """Counts the reports read, to look at; `rebuild_cases` counts afresh."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FlowCount)
class FlowCountAdmin(ReadOnlyCountAdmin):
    list_display = ["kind", "month", "municipality", "consultant", "chain_step", "rungs", "count"]
    list_filter = ["kind", "municipality"]
    list_select_related = ["municipality", "consultant", "chain_step"]


@admin.register(MoveCount)
class MoveCountAdmin(ReadOnlyCountAdmin):
    list_display = ["month", "municipality", "from_step", "to_step", "outcome", "months", "count"]
    list_filter = ["outcome", "municipality"]
    list_select_related = ["municipality", "from_step", "to_step"]


@admin.register(BlockerCount)
class BlockerCountAdmin(ReadOnlyCountAdmin):
    list_display = ["month", "municipality", "from_step", "to_step", "blocker", "count"]
    list_filter = ["blocker", "municipality"]
    list_select_related = ["municipality", "from_step", "to_step", "blocker"]


@admin.register(CaseCount)
class CaseCountAdmin(ReadOnlyCountAdmin):
    list_display = [
        "municipality",
        "consultant",
        "stage",
        "category",
        "rung",
        "chain_step",
        "count",
    ]
    list_filter = ["municipality", "stage"]
    list_select_related = ["municipality", "consultant", "category", "rung", "chain_step"]


@admin.register(BulkExport)
class BulkExportAdmin(admin.ModelAdmin):
    """The bulk exports, to see what ran and what failed; their files only their requester
    downloads, from the export's own page."""

    list_display = ["requested_at", "requested_by", "municipality", "consultant", "status", "done"]
    list_filter = ["status"]
    list_select_related = ["requested_by", "municipality", "consultant"]
    readonly_fields = ["error", "finished_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DomainScoreInline(admin.TabularInline):
    model = DomainScore
    extra = 0


@admin.register(Intake)
class IntakeAdmin(ClientRecordAdmin):
    list_display = ["client", "held_on", "consultant"]


@admin.register(Assessment)
class AssessmentAdmin(ClientRecordAdmin):
    list_display = ["client", "assessed_on", "current_rung", "attainable_rung"]
    inlines = [DomainScoreInline]


@admin.register(DomainScore)
class DomainScoreAdmin(ClientRecordAdmin):
    client_lookup = "assessment__client"
    list_display = ["life_domain", "level", "assessment"]
    list_select_related = ["life_domain", "level", "assessment"]
    raw_id_fields = ["assessment"]
    search_fields = ["assessment__client__search_name", "=assessment__client__bsn"]


@admin.register(Diagnosis)
class DiagnosisAdmin(ClientRecordAdmin):
    list_display = ["client", "made_on", "category", "perspective"]


class GoalInline(admin.StackedInline):
    model = Goal
    extra = 0


@admin.register(PlanOfAction)
class PlanOfActionAdmin(ClientRecordAdmin):
    list_display = ["client", "drawn_up_on", "consultant"]
    inlines = [GoalInline]


@admin.register(Goal)
class GoalAdmin(ClientRecordAdmin):
    client_lookup = "plan__client"
    list_display = ["__str__", "plan", "participation"]
    list_select_related = ["plan__client"]
    raw_id_fields = ["plan"]
    search_fields = ["plan__client__search_name", "=plan__client__bsn"]


@admin.register(Action)
class ActionAdmin(ClientRecordAdmin):
    client_lookup = "goal__plan__client"
    list_display = ["__str__", "responsible", "due_on", "status"]
    list_filter = ["status"]
    list_select_related = []
    raw_id_fields = ["goal"]
    search_fields = ["goal__plan__client__search_name", "=goal__plan__client__bsn"]


@admin.register(Placement)
class PlacementAdmin(ClientRecordAdmin):
    list_display = ["client", "provision", "status", "start_on", "end_on"]
    list_filter = ["status", "provision__chain_step"]
    list_select_related = ["client", "provision"]

    def save_model(self, request, obj, form, change):
        # Saving recounts the provision the placement is in now; one it left counts too.
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and "provision" in form.changed_data:
                recount_provisions([form.initial["provision"]])


@admin.register(AbsenceReport)
class AbsenceReportAdmin(ClientRecordAdmin):
    client_lookup = "placement__client"
    list_display = ["placement", "period_start", "period_end", "days_absent", "reported_by"]
    list_select_related = ["placement__client", "placement__provision", "reported_by"]
    raw_id_fields = ["placement"]
    search_fields = ["placement__client__search_name", "=placement__client__bsn"]


@admin.register(Reevaluation)
class ReevaluationAdmin(ClientRecordAdmin):
    list_display = ["client", "held_on", "decision"]


@admin.register(Transition)
class TransitionAdmin(ClientRecordAdmin):
    list_display = ["client", "moved_on", "from_placement", "to_placement"]
    list_select_related = ["client", "from_placement__provision", "to_placement__provision"]
    raw_id_fields = ["client", "from_placement", "to_placement"]

    # A transition links two placements into one move along the chain, with its blockers
    # (saved after the transition itself): the case's counted moves follow each change.
    def save_related(self, request, form, formsets, change):
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            Case.objects.refresh(form.instance.client_id)

    def delete_model(self, request, obj):
        with transaction.atomic():
            super().delete_model(request, obj)
            Case.objects.refresh(obj.client_id)


@admin.register(StepReached)
class StepReachedAdmin(ClientRecordAdmin):
    list_display = ["client", "step", "reached_on", "recorded_by"]
    list_select_related = ["client", "step__line", "recorded_by"]


@admin.register(CaseNote)
class CaseNoteAdmin(ClientRecordAdmin):
    list_display = ["client", "kind", "happened_on", "author", "organisation"]
    list_filter = ["kind"]


@admin.register(Referral)
class ReferralAdmin(ClientRecordAdmin):
    list_display = ["client", "organisation", "referred_by", "referred_at"]
    list_filter = ["organisation"]


# The resident's record and the catalogue are administered in their own apps; what the cycle
# keeps of them follows here: a resident added gets a case, a capacity changed frees places.
admin.site.unregister(Client)
admin.site.unregister(Provision)


@admin.register(Client)
class ClientWithCaseAdmin(ClientAdmin):
    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            Case.objects.refresh(obj.pk)

    # The placements go with the resident, without a recount each: their provisions follow.
    def delete_model(self, request, obj):
        with transaction.atomic():
            provision_ids = provisions_of(Client.objects.filter(pk=obj.pk))
            Case.objects.filter(pk=obj.pk).forget()
            super().delete_model(request, obj)
            recount_provisions(provision_ids)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            provision_ids = provisions_of(queryset)
            Case.objects.filter(client__in=queryset).forget()
            super().delete_queryset(request, queryset)
            recount_provisions(provision_ids)


def provisions_of(clients):
    return list(
        Placement.objects.filter(client__in=clients)
        .order_by()
        .values_list("provision", flat=True)
        .distinct()
    )


def recount_provisions(provision_ids):
    """Recount the provisions and flag who is first in their lines."""
    Placement.objects.recount(*provision_ids)
    for provision_id in provision_ids:
        Case.objects.refresh_line(provision_id)


@admin.register(Provision)
class ProvisionInTheCycleAdmin(ProvisionAdmin):
    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            Placement.objects.recount(obj.pk)
            Case.objects.refresh_line(obj.pk)
            if "chain_step" in form.changed_data:
                # The cases placed here stand at the provision's new step, and count there.
                placed = obj.placements.filter(status=Placement.Status.ACTIVE)
                Case.objects.refresh(*placed.values_list("client", flat=True))
