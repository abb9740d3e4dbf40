from django.urls import path

from . import views

app_name = "provisions"
urlpatterns = [
    path("", views.provision_list, name="list"),
    path("<int:pk>/", views.provision_detail, name="detail"),
    path("stelsel/", views.system_map, name="system_map"),
    path("werk-leerlijnen/", views.work_learning_lines, name="work_learning_lines"),
    path("tarieven/", views.tariff_list, name="tariffs"),
    path("tarieven/<str:kind>/nieuw/", views.tariff_new, name="tariff_new"),
]
