from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from partners.forms import LoginForm

from . import access_log, covenant, login, views

admin.site.site_header = _("fermwerk administration")
admin.site.site_title = _("fermwerk administration")
admin.site.index_title = _("Lists, partners and records")

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "inloggen/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("inloggen/code/", login.two_factor_verify, name="two_factor_verify"),
    path("tweestapsverificatie/", login.two_factor_setup, name="two_factor_setup"),
    path("tweestapsverificatie/uitzetten/", login.two_factor_disable, name="two_factor_disable"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("taal/", login_not_required(set_language), name="set_language"),
    path("rapportages/", views.reports, name="reports"),
    path("rapportages/perioderapportage.pdf", views.period_report, name="period_report"),
    path("rapportages/cijfers.csv", views.report_csv, name="report_csv"),
    path("toegangslog/", access_log.access_log, name="access_log"),
    path("toegangslog/export.csv", access_log.access_log_csv, name="access_log_csv"),
    path("", include("trajectories.urls")),
    path("voorzieningen/", include("provisions.urls")),
    path(
        "ketenpartners/convenant/documenten/<int:pk>/",
        covenant.covenant_document,
        name="covenant_document",
    ),
    path("ketenpartners/", include("partners.urls")),
    path("admin/", admin.site.urls),
]
