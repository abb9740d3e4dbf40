from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ChainStep, Provision, WorkLearningLine


@admin.register(ChainStep)
class ChainStepAdmin(SimpleHistoryAdmin):
    list_display = ["position", "name", "participation"]


@admin.register(WorkLearningLine)
class WorkLearningLineAdmin(SimpleHistoryAdmin):
    list_display = ["name"]


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
