from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class FermwerkConfig(AppConfig):
    """The site on top of the apps: its login steps, middleware and pages."""

    name = "fermwerk"

    def ready(self):
        from .login import start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="fermwerk.start_session_clock")
