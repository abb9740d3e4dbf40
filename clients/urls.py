from django.urls import path

from . import views

app_name = "clients"
urlpatterns = [
    path("clienten/<int:pk>/gegevens/", views.edit, name="edit"),
]
