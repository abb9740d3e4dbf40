from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Agreement,
    Contact,
    Membership,
    Municipality,
    Organisation,
    ProcessDocument,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    """Users with their history: who changed their details, role (groups) or permissions."""

    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "cbs_code"]
    search_fields = ["name", "cbs_code"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind", "municipalities"]
    search_fields = ["name"]
    filter_horizontal = ["municipalities"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organisation", "job_title"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]
    search_fields = ["user__username", "user__last_name", "organisation__name"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "function", "organisation", "phone", "email"]
    list_select_related = ["organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["organisation"]


class ProcessDocumentInline(admin.TabularInline):
    model = ProcessDocument
    extra = 0
    fields = ["title", "file", "filename", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = ["filename", "size", "uploaded_by", "uploaded_at"]

    def has_change_permission(self, request, obj=None):
        # A document is replaced by uploading a new one, never edited in place.
        return False


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "response_days", "contact", "valid_from", "valid_until"]
    list_select_related = ["organisation", "contact"]
    list_filter = ["organisation"]
    autocomplete_fields = ["organisation", "contact"]
    inlines = [ProcessDocumentInline]

    def save_formset(self, request, form, formset, change):
        for document in formset.save(commit=False):
            if document.pk is None:
                document.uploaded_by = request.user
            document.save()
        for document in formset.deleted_objects:
            document.delete()


@admin.register(ProcessDocument)
class ProcessDocumentAdmin(admin.ModelAdmin):
    """The documents of every agreement; uploaded with their agreement (or on the partner's
    page), downloaded through the site, which logs it."""

    list_display = ["title", "agreement", "filename", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["agreement__organisation", "uploaded_by"]
    readonly_fields = ["filename", "content_type", "size", "uploaded_by", "uploaded_at"]
    fields = ["agreement", "title", "file", *readonly_fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
