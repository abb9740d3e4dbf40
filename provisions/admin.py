from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from .models import ChainStep, Provision, Tariff, WorkLearningLine, WorkLearningStep


@admin.register(ChainStep)
class ChainStepAdmin(SimpleHistoryAdmin):
    list_display = ["position", "name", "participation"]


class WorkLearningStepInline(admin.TabularInline):
    model = WorkLearningStep
    extra = 1
    autocomplete_fields = ["partners"]


@admin.register(WorkLearningLine)
class WorkLearningLineAdmin(SimpleHistoryAdmin):
    list_display = ["name"]
    inlines = [WorkLearningStepInline]


@admin.register(WorkLearningStep)
class WorkLearningStepAdmin(SimpleHistoryAdmin):
    list_display = ["line", "position", "name"]
    list_filter = ["line"]
    list_select_related = ["line"]


@admin.register(Provision)
class ProvisionAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "chain_step",
        "provider",
        "funding_regime",
        "municipality",
        "capacity_places",
        "cost_per_place_per_year_eur",
    ]
    list_filter = ["chain_step", "funding_regime", "municipality", "development_oriented"]
    list_select_related = ["chain_step", "provider", "municipality"]
    search_fields = ["name", "provider__name"]
    autocomplete_fields = ["provider"]


@admin.register(Tariff)
class TariffAdmin(SimpleHistoryAdmin):
    """The tariffs and their history, to look at: managers record a figure in the app, whose
    Tariff.take_effect ends the one in force and puts it in the field its kind's unit says."""

    list_display = ["kind", "amount_eur", "percentage", "valid_from", "valid_until", "indicative"]
    list_filter = ["kind", "indicative"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves a version posted here without asking for permission to
        # change: it is shown, never restored.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
