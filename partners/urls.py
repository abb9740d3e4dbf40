from django.urls import path

from . import views

app_name = "partners"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
]
