from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
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


class DocumentLink:
    """A stored document has no URL of its own: the admin links it to the site's download view,
    which logs who downloads it."""

    @admin.display(description=_("file"))
    def download(self, document):
        return format_html('<a href="{}">{}</a>', document.get_absolute_url(), document.filename)


class ProcessDocumentInline(DocumentLink, admin.TabularInline):
    """The agreement's documents, to download or delete. A document is replaced by uploading a
    new one, never edited in place."""

    model = ProcessDocument
    extra = 0
    fields = ["title", "download", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NewProcessDocumentInline(admin.TabularInline):
    """Uploads a document to the agreement; the ones it has are listed above."""

    model = ProcessDocument
    extra = 0
    fields = ["title", "file"]
    verbose_name_plural = _("new process descriptions")

    def get_queryset(self, request):
        return super().get_queryset(request).none()


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "response_days", "contact", "valid_from", "valid_until"]
    list_select_related = ["organisation", "contact"]
    list_filter = ["organisation"]
    autocomplete_fields = ["organisation", "contact"]
    inlines = [ProcessDocumentInline, NewProcessDocumentInline]

    def save_formset(self, request, form, formset, change):
        for document in formset.save(commit=False):
            if document.pk is None:
                document.uploaded_by = request.user
            document.save()
        for document in formset.deleted_objects:
            document.delete()


@admin.register(ProcessDocument)
class ProcessDocumentAdmin(DocumentLink, admin.ModelAdmin):
    """The documents of every agreement; uploaded with their agreement (or on the partner's
    page), downloaded through the site, which logs it."""

    list_display = ["title", "agreement", "filename", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["agreement__organisation", "uploaded_by"]
    readonly_fields = ["download", "content_type", "size", "uploaded_by", "uploaded_at"]
    fields = ["agreement", "title", *readonly_fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
