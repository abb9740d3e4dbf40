from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Client


@admin.register(Client)
class ClientAdmin(SimpleHistoryAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "municipality", "consultant"]
    list_filter = ["municipality"]
    list_select_related = ["municipality", "consultant"]
    search_fields = ["search_name", "=bsn"]
    autocomplete_fields = ["consultant"]
    show_full_result_count = False

    def get_queryset(self, request):
        # The admin respects the same access rule as the rest of the app.
        return super().get_queryset(request).visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        # An anonymised resident is kept for the figures only; nobody changes it any more.
        anonymised = obj is not None and obj.anonymised_on is not None
        return super().has_change_permission(request, obj) and not anonymised
