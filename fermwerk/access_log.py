"""The access log for managers: search it by resident, user, period and kind, and export it."""

import csv
from datetime import datetime, time, timedelta

from django import forms
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.forms import DateInput
from clients.models import AccessLog, Client
from clients.pagination import CappedPaginator
from partners.forms import ShortListChoiceField
from partners.models import User

PAGE_SIZE = 50
COUNT_CAP = 1000
# A CSV export holds at most this many rows; a narrower search gets the rest.
EXPORT_CAP = 100_000


class AccessLogFilterForm(forms.Form):
    resident = forms.CharField(
        label=gettext_lazy("Resident (name, BSN or date of birth)"), required=False, max_length=100
    )
    inwoner = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    user = ShortListChoiceField(
        User.objects.order_by("first_name", "last_name"),
        label=gettext_lazy("User"),
        required=False,
        empty_label=gettext_lazy("All users"),
    )
    action = forms.ChoiceField(
        label=gettext_lazy("What"),
        required=False,
        choices=[("", gettext_lazy("Everything"))] + AccessLog.Action.choices,
    )
    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput)
    until = forms.DateField(
        label=gettext_lazy("Up to and including"), required=False, widget=DateInput
    )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period lies before its start."))
        return cleaned

    def entries(self, user):
        """The log rows the search asks for, of the residents the manager may see."""
        visible = Client.objects.visible_to(user)
        # The page's residents are read by key afterwards: a join could scan them all.
        entries = AccessLog.objects.select_related("user").prefetch_related("client")
        if not (user.is_superuser or user.has_perm("clients.view_all_clients")):
            entries = entries.filter(client__in=visible)
        if not self.is_valid():
            return entries.none()
        data = self.cleaned_data
        if data["inwoner"]:
            entries = entries.filter(client__in=visible.filter(pk=data["inwoner"]))
        if data["resident"]:
            entries = entries.filter(client__in=visible.search(data["resident"]))
        if data["user"]:
            entries = entries.filter(user=data["user"])
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["since"]:
            entries = entries.filter(at__gte=start_of(data["since"]))
        if data["until"]:
            entries = entries.filter(at__lt=start_of(data["until"] + timedelta(days=1)))
        return entries


def start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def may_read_log(user):
    if not user.has_perm("clients.view_accesslog"):
        raise Http404


def access_log(request):
    may_read_log(request.user)
    filters = AccessLogFilterForm(request.GET)
    entries = filters.entries(request.user)
    # Each page reads its own rows (and their residents); the count stops at the cap.
    paginator = CappedPaginator(entries, PAGE_SIZE, cap=COUNT_CAP, counted=entries)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "reports/access_log.html", {"filters": filters, "page_obj": page})


class Echo:
    def write(self, value):
        return value


def access_log_csv(request):
    """The rows of the search as CSV; the export itself is logged."""
    may_read_log(request.user)
    filters = AccessLogFilterForm(request.GET)
    entries = filters.entries(request.user)[:EXPORT_CAP]
    AccessLog.objects.record(
        request.user, AccessLog.Action.EXPORT_CSV, detail=request.GET.urlencode()
    )
    writer = csv.writer(Echo())
    header = [_("when"), _("user"), _("role"), _("organisation"), _("resident"), _("what")]
    header += [_("detail"), _("reason")]

    def rows():
        yield writer.writerow(header)
        for entry in entries.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    timezone.localtime(entry.at).isoformat(timespec="seconds"),
                    entry.username,
                    entry.role,
                    entry.organisation,
                    entry.client_id or "",
                    entry.get_action_display(),
                    entry.detail,
                    entry.reason,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="toegangslog.csv"'
    return response
