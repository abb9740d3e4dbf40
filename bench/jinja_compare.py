"""Django's template engine against Jinja2 on one page: the consultant's caseload (issue 11).

The view `client_list` (mine=True) is requested once as the demo consultant, through the full
middleware stack, and the context it passes to `render` is kept. The page is then rendered
from that context again and again, the variants taking turns within every round:

- Django: templates/trajectories/list.html, as the app renders it;
- Django with cheap fixes: the two includes of each row inlined
  (bench/django/templates/inline_rows), the selects rendered without a template per option
  (bench/django/templates/plain_select), both, or the widgets rendered by Django's own Jinja2
  widget templates (what FORM_RENDERER = "django.forms.renderers.Jinja2" would do);
- Django with the model selects' choices read by one plain query each instead of through a
  server-side cursor (a change to the form, not to the templates);
- Jinja2: the same page ported to bench/jinja/templates and rendered through Django's Jinja2
  backend (configured here, not in the settings), with the form widgets rendered by Django's
  widget templates or by Django's Jinja2 widget templates.

Every variant must give Django's HTML, modulo whitespace, the spelling of character entities
and the CSRF token (a new mask each render); that is checked before anything is timed. All of
it runs twice: as the page is (the three model selects query the database while they render)
and with those choices read beforehand, which leaves the template work alone. Before that it
times the parts of Django's render (the breakdown) and takes a cProfile of it; --profile also
prints pyinstrument's tree.

In-process with production settings; the database connection is read-only, and the login is a
signed-cookie session, so nothing is written. Run `manage.py collectstatic` and
`compilemessages` first. Needs jinja2 (`pip install -e ".[bench]"`):

    DEBUG=0 SECRET_KEY=x ALLOWED_HOSTS=testserver \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fermwerk_bench_100000 \\
    .venv/bin/python bench/jinja_compare.py [--renders 200] [--profile]
"""

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
USERNAME = "consultant"
MODEL_SELECTS = ["category", "municipality", "chain_step"]
FIELDS = ["q", "stage", *MODEL_SELECTS, "attention"]
WARM_UP = 10
# What a CSRF token looks like: masked anew on every render, so left out of the comparison.
CSRF_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=200, help="timed renders per variant")
    parser.add_argument("--profile", action="store_true", help="print pyinstrument's tree")
    args = parser.parse_args()
    setup()
    request, context, request_page = captured_caseload()
    print(f"# Template rendering of the caseload ({args.renders} renders per variant)\n")
    print(describe(context))
    check_same_html(request, context)
    print(breakdown(request, context, request_page, args.renders))
    print(profile_shares(request, context))
    if args.profile:
        print(pyinstrument_tree(request, context))
    for preloaded in (False, True):
        variants = page_variants(request, context, preloaded)
        title = (
            "Templates alone (the selects' choices read beforehand)"
            if preloaded
            else "The page as it renders (three select queries inside the render)"
        )
        print(table(title, timed_interleaved(variants, args.renders)))


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fermwerk.settings")
    # Every connection read-only: the bench databases are shared.
    os.environ["PGOPTIONS"] = "-c default_transaction_read_only=on"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    # Sessions in a signed cookie: logging in and keeping a session alive write no rows.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"


def captured_caseload():
    """The request and the context `client_list` renders /mijn-clienten/ with, for the demo
    consultant, and a function that requests the page again: a GET through the full
    middleware stack with `render` watched."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.test import Client as TestClient
    from django.urls import reverse

    from fermwerk.login import LAST_SEEN_AT, LOGGED_IN_AT
    from partners.models import User
    from trajectories import views

    captured = {}
    render = views.render

    def watched(request, template_name, context, *args, **kwargs):
        captured.update(request=request, template_name=template_name, context=context)
        return render(request, template_name, context, *args, **kwargs)

    # A session as a login leaves it (logging in would write the user's last login).
    user = User.objects.get(username=USERNAME)
    now = int(time.time())
    session = SessionStore()
    session.update(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            LOGGED_IN_AT: now,
            LAST_SEEN_AT: now,
        }
    )
    session.save()
    browser = TestClient()
    browser.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    url = reverse("trajectories:mine")
    views.render = watched
    try:
        response = browser.get(url, secure=True)
    finally:
        views.render = render
    assert response.status_code == 200, response
    assert captured["template_name"] == "trajectories/list.html", captured["template_name"]
    return captured["request"], captured["context"], lambda: browser.get(url, secure=True)


def describe(context):
    page = context["page_obj"]
    filters = context["filters"]
    options = {name: len(filters.fields[name].choices) for name in FIELDS[1:-1]}
    load = ", ".join(f"{average:.1f}" for average in os.getloadavg())
    return (
        f"Residents on the page: {len(page.object_list)}; count capped: "
        f"{page.paginator.is_capped}; options per select: {options}. "
        f"Load average at the start: {load} ({os.cpu_count()} cores).\n"
    )


# The engines and the variants.


def django_engine(name, *first_dirs):
    """A Django template engine as the settings configure it, with `first_dirs` in front."""
    from django.conf import settings
    from django.template.backends.django import DjangoTemplates

    configured = settings.TEMPLATES[0]
    return DjangoTemplates(
        {
            "NAME": name,
            "DIRS": [*first_dirs, *configured["DIRS"]],
            "APP_DIRS": configured["APP_DIRS"],
            "OPTIONS": dict(configured["OPTIONS"]),
        }
    )


def jinja_engine():
    from django.conf import settings
    from django.template.backends.jinja2 import Jinja2

    return Jinja2(
        {
            "NAME": "jinja_experiment",
            "DIRS": [BENCH / "jinja" / "templates"],
            "APP_DIRS": False,
            "OPTIONS": {
                "environment": "bench.jinja.environment.environment",
                "context_processors": settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
            },
        }
    )


def plain_select_renderer():
    """Django's default form renderer, but with a select template that writes its options
    inline instead of including a template (and the attrs template) for every option."""
    import django.forms
    from django.forms.renderers import DjangoTemplates
    from django.template.backends.django import DjangoTemplates as DjangoBackend

    engine = DjangoBackend(
        {
            "NAME": "plain_select",
            "DIRS": [
                BENCH / "django" / "templates" / "plain_select",
                Path(django.forms.__file__).parent / "templates",
            ],
            "APP_DIRS": True,
            "OPTIONS": {},
        }
    )

    class PlainSelect(DjangoTemplates):
        @property
        def engine(self):
            return engine

    return PlainSelect()


# How the model selects get their choices: as Django does (a server-side cursor per select,
# five round trips: DECLARE, describe, two FETCHes, CLOSE), with one plain query each (what a
# form could do), or read before the render (leaving only the template work).
CURSOR, PLAIN, PRELOADED = "cursor", "plain", "preloaded"


def one_query_choices():
    from django.forms.models import ModelChoiceIterator

    class OneQueryChoices(ModelChoiceIterator):
        """Django's, reading the choices with one plain query rather than .iterator()."""

        def __iter__(self):
            if self.field.empty_label is not None:
                yield ("", self.field.empty_label)
            for obj in self.queryset.all():
                yield self.choice(obj)

    return OneQueryChoices


def filter_form(request, renderer=None, choices=CURSOR):
    """The view's filter form anew, its widgets rendered by `renderer`."""
    from trajectories.forms import ClientFilterForm

    form = ClientFilterForm(request.GET, renderer=renderer)
    form.is_valid()
    for name in MODEL_SELECTS:
        field = form.fields[name]
        if choices == PLAIN:
            field.iterator = one_query_choices()
            field.widget.choices = field.choices
        elif choices == PRELOADED:
            field.choices = list(field.choices)
    return form


def page_variants(request, context, preloaded=False):
    """Name -> a function rendering the whole page once; the first is the app's page."""
    from django.forms.renderers import Jinja2 as Jinja2FormRenderer
    from django.forms.renderers import get_default_renderer
    from django.template import engines

    app = engines["django"]
    inline_rows = django_engine("inline_rows", BENCH / "django" / "templates" / "inline_rows")
    jinja = jinja_engine()
    default, plain, jinja_widgets = (
        get_default_renderer(),
        plain_select_renderer(),
        Jinja2FormRenderer(),
    )

    def variant(engine, renderer, choices=CURSOR):
        template = engine.get_template("trajectories/list.html")
        form = filter_form(request, renderer, PRELOADED if preloaded else choices)
        # The Jinja2 backend adds to the context it is given: each render gets its own.
        return lambda: template.render({**context, "filters": form}, request)

    variants = {
        "Django, as the app renders it": variant(app, default),
        "Django, per-row includes inlined": variant(inline_rows, default),
        "Django, selects without option templates": variant(app, plain),
        "Django, both cheap template fixes": variant(inline_rows, plain),
        "Django, Django's Jinja2 widget templates (FORM_RENDERER)": variant(app, jinja_widgets),
        "Django, selects' choices by one plain query each": variant(app, default, PLAIN),
        "Django, both cheap template fixes and plain queries": variant(inline_rows, plain, PLAIN),
        "Jinja2, Django's widget templates": variant(jinja, default),
        "Jinja2, Django's Jinja2 widget templates": variant(jinja, jinja_widgets),
        "Jinja2, Jinja2 widget templates and plain queries": variant(jinja, jinja_widgets, PLAIN),
    }
    if preloaded:
        # With the choices read beforehand, how they would be read makes no difference.
        variants = {name: render for name, render in variants.items() if "plain" not in name}
    return variants


# Same HTML?


class Canonical(HTMLParser):
    """The page as a list of tags, attributes and text: entities decoded, whitespace collapsed,
    whitespace-only text dropped, CSRF tokens blanked."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tokens = []
        self.feed(html)
        self.close()

    def handle_decl(self, decl):
        self.tokens.append(("declaration", decl.lower()))

    def handle_starttag(self, tag, attrs):
        attrs = tuple((name, clean(value) if value is not None else None) for name, value in attrs)
        self.tokens.append(("start", tag, attrs))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self.tokens.append(("end", tag))

    def handle_data(self, data):
        if text := clean(data):
            self.tokens.append(("text", text))

    def handle_comment(self, data):
        self.tokens.append(("comment", clean(data)))


def clean(text):
    return CSRF_TOKEN.sub("<csrf token>", " ".join(text.split()))


def check_same_html(request, context):
    """Every variant renders what Django renders, in both runs; stops at the first difference."""
    checked = 0
    for preloaded in (False, True):
        variants = page_variants(request, context, preloaded)
        renders = {name: render() for name, render in variants.items()}
        reference_name, reference = next(iter(renders.items()))
        expected = Canonical(reference).tokens
        assert len(expected) > 500, "the page rendered next to nothing"
        for name, html in renders.items():
            tokens = Canonical(html).tokens
            if tokens != expected:
                at = next(
                    (
                        i
                        for i, pair in enumerate(zip(tokens, expected, strict=False))
                        if pair[0] != pair[1]
                    ),
                    min(len(tokens), len(expected)),
                )
                raise SystemExit(
                    f"{name} differs from {reference_name} at token {at}:\n"
                    f"  {name}: {tokens[at - 2 : at + 3]}\n"
                    f"  {reference_name}: {expected[at - 2 : at + 3]}"
                )
            checked += 1
    print(
        f"Same HTML: {checked} renders (every variant, with and without the queries) give the "
        f"{len(expected)} tags and texts of Django's page ({len(reference):,} characters).\n"
    )


# Timing.


def timed_interleaved(functions, renders):
    """Milliseconds of each call of each function, wall-clock and this thread's CPU time, the
    functions taking turns in every round (each round starting one further on), after
    WARM_UP calls each."""
    names = list(functions)
    for name in names:
        for _ in range(WARM_UP):
            functions[name]()
    wall = {name: [] for name in names}
    cpu = {name: [] for name in names}
    for round_number in range(renders):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            started, started_cpu = time.perf_counter(), time.thread_time()
            functions[name]()
            cpu[name].append((time.thread_time() - started_cpu) * 1000)
            wall[name].append((time.perf_counter() - started) * 1000)
    return wall, cpu


def percentile(values, percent):
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * percent // 100))
    return ordered[int(rank) - 1]


def table(title, measured):
    wall, cpu = measured
    names = list(wall)
    reference = statistics.median(wall[names[0]])
    lines = [
        f"## {title}\n",
        "| variant | median ms | p95 ms | CPU ms (median) | median vs Django |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name in names:
        median = statistics.median(wall[name])
        change = median - reference
        compared = "" if name == names[0] else f"{change:+.1f} ms ({change / reference:+.0%})"
        lines.append(
            f"| {name} | {median:.1f} | {percentile(wall[name], 95):.1f} "
            f"| {statistics.median(cpu[name]):.1f} | {compared} |"
        )
    return "\n".join(lines) + "\n"


# Where Django's render goes.


def breakdown(request, context, request_page, renders):
    """Median milliseconds of the parts of Django's render, each timed on its own (parts taking
    turns in every round, as the variants do)."""
    from django.forms.renderers import get_default_renderer
    from django.template import engines

    engine = engines["django"]
    form = filter_form(request, get_default_renderer())
    preloaded = filter_form(request, get_default_renderer(), PRELOADED)
    full = {**context, "filters": form}
    full_preloaded = {**context, "filters": preloaded}
    page = engine.get_template("trajectories/list.html")
    results = engine.get_template("trajectories/list.html#results")
    base = engine.from_string('{% extends "base.html" %}')
    fields = engine.from_string(
        "".join(
            f'{{% with field=filters.{name} %}}{{% include "form_field.html" %}}{{% endwith %}}'
            for name in FIELDS
        )
    )
    row_includes = engine.from_string(
        "{% for client in page_obj %}"
        '{% include "trajectories/stage_badge.html" with case=client.case %}'
        '{% include "trajectories/next_step.html" with case=client.case'
        " response_overdue=client.response_overdue %}"
        "{% endfor %}"
    )
    row_inlined = engines["django"].from_string(
        "{% load i18n %}{% for client in page_obj %}{% with case=client.case %}"
        '<span class="utrecht-badge-status stage stage--{{ case.stage }}">'
        "{{ case.get_stage_display }}</span>"
        "{% with label=case.next_step.0 due_on=case.next_step.1 %}{{ label }}{% if due_on %} – "
        '{% blocktranslate with date=due_on|date:"j F Y" %}due {{ date }}{% endblocktranslate %}'
        "{% endif %}{% endwith %}"
        '{% if case.is_overdue %} <strong class="overdue">{% translate "overdue" %}</strong>'
        "{% endif %}"
        '{% if case.proposal_stalled %} <strong class="overdue">'
        '{% translate "proposal stalled" %}</strong>{% endif %}'
        '{% if client.response_overdue %} <strong class="overdue">'
        '{% translate "provider\'s answer overdue" %}</strong>{% endif %}'
        '{% if case.place_offerable %} <strong class="signal">{% translate "place free" %}'
        "</strong>{% endif %}"
        "{% endwith %}{% endfor %}"
    )
    next_step = engine.from_string(
        "{% for client in page_obj %}{{ client.case.next_step.0 }}{{ client.case.next_step.1 }}"
        "{% endfor %}"
    )
    rows = context["page_obj"].object_list
    querysets = [form.fields[name].queryset for name in MODEL_SELECTS]
    parts = {
        "the whole request (full middleware stack, the view's queries, the render)": request_page,
        "whole page": lambda: page.render(full, request),
        "whole page, the selects' choices read beforehand": (
            lambda: page.render(full_preloaded, request)
        ),
        "base.html alone (head, header, navigation, language switch, messages, footer)": (
            lambda: base.render(full, request)
        ),
        "filter form: 6 fields through form_field.html": lambda: fields.render(full, request),
        "  the same, the selects' choices read beforehand": (
            lambda: fields.render(full_preloaded, request)
        ),
        "  its 6 widgets alone (str(field))": lambda: [str(form[name]) for name in FIELDS],
        "  its 4 select widgets alone, choices read beforehand": (
            lambda: [str(preloaded[name]) for name in FIELDS[1:-1]]
        ),
        "  the 3 model selects' queries as the widgets run them (server-side cursors)": (
            lambda: [list(form.fields[name].choices) for name in MODEL_SELECTS]
        ),
        "  the same 3 queries as plain queries": (
            lambda: [list(queryset.all()) for queryset in querysets]
        ),
        "results partial (what HTMX swaps): count, table of 25 rows, pagination": (
            lambda: results.render(full, request)
        ),
        "  the 2 includes of each row, 25 rows": lambda: row_includes.render(full, request),
        "  the same markup inlined, 25 rows": lambda: row_inlined.render(full, request),
        "  {{ case.next_step.0 }} and .1 alone, 25 rows": lambda: next_step.render(full, request),
        "  get_absolute_url (reverse), 25 rows": (
            lambda: [client.get_absolute_url() for client in rows]
        ),
        "  case.get_stage_display, 25 rows": lambda: [
            client.case.get_stage_display() for client in rows
        ],
    }
    wall, cpu = timed_interleaved(parts, renders)
    lines = [
        "## Breakdown of Django's render (each part timed on its own)\n",
        "| part | median ms | p95 ms | CPU ms (median) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, measured in wall.items():
        lines.append(
            f"| {name} | {statistics.median(measured):.2f} | {percentile(measured, 95):.2f} "
            f"| {statistics.median(cpu[name]):.2f} |"
        )
    return "\n".join(lines) + "\n"


def profiled_functions():
    """Label -> the functions whose cumulative time is reported as a share of the render."""
    from django.db.models import Model
    from django.forms.models import ModelChoiceIterator
    from django.forms.widgets import Widget
    from django.template.base import Variable
    from django.template.defaultfilters import date
    from django.template.loader_tags import IncludeNode
    from django.templatetags.i18n import BlockTranslateNode, TranslateNode
    from django.templatetags.static import StaticNode
    from django.urls import reverse

    return {
        "{% translate %} and {% blocktranslate %}": [
            TranslateNode.render,
            BlockTranslateNode.render,
        ],
        "{% include %} (with all the included templates do)": [IncludeNode.render],
        "Widget.render (the form's widgets, the selects' queries included)": [Widget.render],
        "the selects' queries (ModelChoiceIterator)": [ModelChoiceIterator.__iter__],
        "reverse() ({% url %} and get_absolute_url)": [reverse],
        "Model._get_FIELD_display (get_stage_display)": [Model._get_FIELD_display],
        "the date filter": [date],
        "{% static %}": [StaticNode.render],
        "Variable._resolve_lookup (every {{ a.b }})": [Variable._resolve_lookup],
    }


def profile_shares(request, context, renders=100):
    """Share of Django's render spent under some functions, from cProfile's cumulative times
    (the profiler's overhead weighs on all of them alike, more or less)."""
    from django.forms.renderers import get_default_renderer
    from django.template import engines

    page = engines["django"].get_template("trajectories/list.html")
    full = {**context, "filters": filter_form(request, get_default_renderer())}
    page.render(full, request)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(renders):
        page.render(full, request)
    profile.disable()
    stats = pstats.Stats(profile).stats
    total = max(cumulative for (_, _, _, cumulative, _) in stats.values())
    lines = [
        "## Share of Django's render under some functions (cProfile, cumulative)\n",
        "| under | calls per render | share of the render |",
        "| --- | ---: | ---: |",
    ]
    for label, functions in profiled_functions().items():
        keys = {
            (f.__code__.co_filename, f.__code__.co_firstlineno, f.__code__.co_name)
            for f in functions
        }
        calls = sum(stats[key][1] for key in keys if key in stats)
        cumulative = sum(stats[key][3] for key in keys if key in stats)
        lines.append(f"| {label} | {calls / renders:.0f} | {cumulative / total:.0%} |")
    return "\n".join(lines) + "\n"


def pyinstrument_tree(request, context, renders=100):
    """pyinstrument's tree of Django's render, the template engine's own frames folded away
    so that includes, widgets, queries, translations and URLs stand out."""
    from django.forms.renderers import get_default_renderer
    from django.template import engines
    from pyinstrument import Profiler

    page = engines["django"].get_template("trajectories/list.html")
    full = {**context, "filters": filter_form(request, get_default_renderer())}
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(renders):
        page.render(full, request)
    profiler.stop()
    shown = (
        r".*django/(forms/(widgets|models|boundfield)|template/(loader_tags|defaultfilters)"
        r"|templatetags/i18n|urls/base|db/models/base)\.py.*"
    )
    tree = profiler.output_text(
        unicode=True,
        processor_options={
            "filter_threshold": 0.02,
            "show_regex": shown,
            "hide_regex": r".*(site-packages|lib/python).*",
        },
    )
    return f"## pyinstrument, {renders} renders\n\n```\n{tree}```\n"


if __name__ == "__main__":
    main()
