from django.urls import path

from . import views

app_name = "partners"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("convenant/", views.covenant, name="covenant"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/contactpersoon/", views.contact_edit, name="contact_add"),
    path("<int:pk>/contactpersoon/<int:contact_pk>/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/afspraak/", views.agreement_edit, name="agreement_add"),
    path("<int:pk>/afspraak/<int:agreement_pk>/", views.agreement_edit, name="agreement_edit"),
    path(
        "<int:pk>/afspraak/<int:agreement_pk>/document/",
        views.document_upload,
        name="document_upload",
    ),
]
