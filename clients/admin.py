from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from .bsn import full_bsn, mask_bsn
from .models import AccessLog, Client, Share


class ResidentHistoryAdmin(SimpleHistoryAdmin):
    """The change history of a resident's records, under the rule of the change page:
    django-simple-history's history views ask neither get_queryset nor (for a version posted
    back) the permission to change. Only what the user may see, logged; restored only by
    whoever may change it. `client_lookup` leads from the object to its resident."""

    client_lookup = "client"

    def visible(self, request, object_id):
        found = self.get_queryset(request).filter(pk=unquote(object_id))
        client_id = found.values_list(self.client_lookup, flat=True).first()
        if client_id is None:
            raise Http404
        if request.method == "GET":
            AccessLog.objects.record(
                request.user,
                AccessLog.Action.VIEW_HISTORY,
                clients=[Client(pk=client_id)],
                detail=f"{self.model._meta.verbose_name} {object_id}",
            )
        return found.get()

    def history_view(self, request, object_id, extra_context=None):
        self.visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        shown = self.visible(request, object_id)
        if request.method == "POST" and not self.has_change_permission(request, shown):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Client)
class ClientAdmin(ResidentHistoryAdmin):
    client_lookup = "pk"
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

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        # A search here finds residents as the app's search does: the log says whom.
        changelist = getattr(response, "context_data", {}).get("cl")
        query = request.GET.get("q", "").strip()
        if changelist is not None and query:
            AccessLog.objects.record(
                request.user,
                AccessLog.Action.SEARCH,
                clients=list(changelist.result_list),
                detail=mask_bsn(full_bsn(query)) if full_bsn(query) else query,
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        client = self.get_queryset(request).filter(pk=object_id).first()
        if client and request.method == "GET":
            AccessLog.objects.record(request.user, AccessLog.Action.VIEW_ADMIN, clients=[client])
        return response


@admin.register(Share)
class ShareAdmin(ResidentHistoryAdmin):
    list_display = ["client", "organisation", "basis", "valid_until", "withdrawn_at"]
    list_filter = ["basis", "organisation"]
    list_select_related = ["client", "organisation"]
    raw_id_fields = ["client"]
    search_fields = ["client__search_name", "=client__bsn"]
    show_full_result_count = False

    def get_queryset(self, request):
        visible = Client.objects.visible_to(request.user)
        return super().get_queryset(request).filter(client__in=visible)


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read only: the log is append-only, and PostgreSQL refuses changes anyway."""

    list_display = ["at", "username", "role", "organisation", "client", "action", "reason"]
    list_filter = ["action", "role"]
    list_select_related = ["client"]
    search_fields = ["username", "=client__bsn"]
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
