"""The Jinja2 environment of the template experiment (bench/jinja_compare.py): Django's URLs,
static files, translations and formatting under the names the ported templates use.

Configured in the script through Django's Jinja2 backend, never in the app's settings.
"""

from types import SimpleNamespace

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import capfirst, date
from django.template.defaulttags import querystring as django_querystring
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django_htmx.jinja import htmx_script
from jinja2 import Environment


def url(name, *args, **kwargs):
    return reverse(name, args=args or None, kwargs=kwargs or None)


def querystring(request, **changes):
    """Django's {% querystring %}: the request's query string with `changes` applied."""
    return django_querystring(SimpleNamespace(request=request), **changes)


def environment(**options):
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    # New-style gettext: variables go in as %(name)s, so the message ids are the ones
    # Django's {% blocktranslate %} extracts, and the existing .po files serve both engines.
    env.install_gettext_translations(translation, newstyle=True)
    env.globals.update(
        static=static,
        url=url,
        querystring=querystring,
        htmx_script=htmx_script,
        language_info=translation.get_language_info,
    )
    env.filters.update(date=date, intcomma=intcomma, capfirst=capfirst)
    return env
