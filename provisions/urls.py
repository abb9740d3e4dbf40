from django.urls import path

from . import views

app_name = "provisions"
urlpatterns = [
    path("", views.provision_list, name="list"),
    path("<int:pk>/", views.provision_detail, name="detail"),
    path("stelsel/", views.system_map, name="system_map"),
]
