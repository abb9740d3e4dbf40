from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo region and its `seed_demo` command; it sits on top of every other app."""

    name = "fermwerk.demo"
    label = "demo"
