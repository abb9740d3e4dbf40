from django.contrib import admin
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
    list_display = ["kind", "amount_eur", "percentage", "valid_from", "valid_until", "indicative"]
    list_filter = ["kind", "indicative"]
