from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")

    def ready(self):
        # Django 6.1's label for an empty choice has no Dutch translation yet; every select
        # of the app (and of the admin) gets ours instead.
        from django.db.models import fields

        fields.BLANK_CHOICE_LABEL = _("Make a choice")
