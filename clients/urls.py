from django.urls import path

from . import views

app_name = "clients"
urlpatterns = [
    path("mijn-clienten/", views.client_list, {"mine": True}, name="mine"),
    path("clienten/", views.client_list, name="list"),
    path("clienten/inschrijven/", views.register, name="register"),
    path("clienten/<int:pk>/", views.client_detail, name="detail"),
    path("clienten/<int:pk>/gegevens/", views.edit, name="edit"),
]
