"""The load test's users (run by bench/load.py, which prepares the accounts and the plan).

A consultant logs in through the login form and, again and again, searches for one of their
residents as they type, opens the case page (the timeline loads after it), opens the intake
form, types (a draft is kept), saves the intake, and proposes a placement; each as the browser
with htmx sends it, with the CSRF token and every field the form renders. A social-team member
logs in, opens the shared cases and reads one. Every answer is checked: a status other than
the one expected (200; the login's redirect), a page without what it should show, or a form
that comes back with errors where it should have saved counts as a failure. The saves seen
to succeed are written to LOAD_SAVES at the end, for the check against the database.

The app runs with its production settings: secure cookies, SSL redirect. These users play the
TLS-terminating proxy too (`X-Forwarded-Proto: https`), and hand the secure cookies back over
the loopback's plain HTTP.
"""

import itertools
import json
import os
import random
import re
import time
from html.parser import HTMLParser
from pathlib import Path

from locust import HttpUser, between, events, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
# The saves each user saw succeed: intakes by the marker in their notes, proposals as
# "<resident>:<provision>".
SAVES = {"intakes": [], "proposals": [], "unexpected": [], "logins": {}}
LOGGED_IN = itertools.count(1)
CONSULTANT_ACCOUNTS = itertools.count()
SOCIAL_TEAM_ACCOUNTS = itertools.count()
RUN = f"{random.randrange(16**6):06x}"
CASE_LINK = re.compile(r'href="/clienten/(\d+)/"')


class FormParser(HTMLParser):
    """The fields of the form posting to `action` (None: the form without an action, which
    posts to its own page) in a page or fragment, as the browser would send them: inputs with
    their values (a radio or checkbox only if checked), the selected option of each select,
    each textarea's text. The choices of radios and selects are kept apart."""

    def __init__(self, action):
        super().__init__()
        self.action = action
        self.fields, self.radios, self.options = {}, {}, {}
        self.in_form = self.done = False
        self.select = self.textarea = None
        self.first_option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.done:
            return
        if tag == "form" and attrs.get("method") == "post" and attrs.get("action") == self.action:
            self.in_form = True
        if not self.in_form or "name" not in attrs and tag != "option":
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind == "radio":
                self.radios.setdefault(attrs["name"], []).append(attrs.get("value", "on"))
                if "checked" in attrs:
                    self.fields[attrs["name"]] = attrs.get("value", "on")
            elif kind == "checkbox":
                if "checked" in attrs:
                    self.fields[attrs["name"]] = attrs.get("value", "on")
            elif kind not in ("submit", "button"):
                self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self.select, self.first_option = attrs["name"], None
        elif tag == "option" and self.select:
            self.options.setdefault(self.select, []).append(attrs.get("value", ""))
            if self.first_option is None:
                self.first_option = attrs.get("value", "")
            if "selected" in attrs:
                self.fields[self.select] = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.fields[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form, self.done = False, True
        elif tag == "select" and self.select:
            self.fields.setdefault(self.select, self.first_option or "")
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data


def form_in(html, action=None):
    parser = FormParser(action)
    parser.feed(html)
    return parser


# Seconds a user reads a page before the next request (bench/load.py passes LOAD_THINK).
THINK = [float(seconds) for seconds in os.environ.get("LOAD_THINK", "3,10").split(",")]


class BrowserUser(HttpUser):
    abstract = True
    wait_time = between(*THINK)

    def on_start(self):
        # The proxy in front of the app says the browser's request came over HTTPS.
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.origin = "https://" + self.host.split("://", 1)[1].rstrip("/")
        self.log_in(self.account["username"], PLAN["password"])

    def get(self, url, name, expect=None, htmx=False):
        """GET a page (or, with htmx, a fragment as htmx asks for it); a failure unless it
        answers 200 and holds `expect`."""
        headers = {"HX-Request": "true"} if htmx else {}
        self.send_secure_cookies()
        with self.client.get(
            url, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif expect and expect not in response.text:
                response.failure(f"{expect!r} is not on the page")
            return response

    def post(self, url, data, name, page, htmx=False):
        headers = {"Origin": self.origin, "Referer": self.origin + page}
        if htmx:
            headers |= {"HX-Request": "true", "HX-Current-URL": self.origin + page}
        self.send_secure_cookies()
        return self.client.post(
            url,
            data=data,
            name=name,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        )

    def send_secure_cookies(self):
        """The browser sends its secure cookies to the proxy over HTTPS; here the loopback's
        plain HTTP stands in for that, and requests would hold them back."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def log_in(self, username, password):
        page = self.get("/inloggen/", "login form", expect="csrfmiddlewaretoken")
        data = form_in(page.text).fields | {"username": username, "password": password}
        with self.post("/inloggen/", data, "log in", "/inloggen/") as response:
            if response.status_code != 302 or response.headers.get("Location") != "/":
                response.failure(
                    f"not logged in: {response.status_code} {response.headers.get('Location')}"
                )
        logged_in(self.environment)


class Consultant(BrowserUser):
    """A consultant working through their own residents' cases."""

    fixed_count = len(PLAN["consultants"])

    def on_start(self):
        self.account = PLAN["consultants"][next(CONSULTANT_ACCOUNTS) % len(PLAN["consultants"])]
        # The provisions this user proposed per resident: one open proposal per provision.
        self.proposed = {resident["pk"]: set() for resident in self.account["residents"]}
        self.saves = 0
        super().on_start()

    @task
    def journey(self):
        resident = random.choice(self.account["residents"])
        pk, case = resident["pk"], f"/clienten/{resident['pk']}/"
        # Search as you type: htmx asks for the results only.
        query = resident["last_name"].lower()
        self.get(f"/clienten/?q={query}", "search", expect=f'href="{case}"', htmx=True)
        self.get(case, "case page", expect=resident["last_name"])
        self.get(f"{case}tijdlijn/", "timeline (htmx)", htmx=True)
        self.save_intake(pk, case)
        self.propose(pk, case)

    def save_intake(self, pk, case):
        url = f"{case}intake/"
        form = self.get(url, "intake form (htmx)", expect="csrfmiddlewaretoken", htmx=True)
        if form.status_code != 200:
            return
        parsed = form_in(form.text, url)
        fields = parsed.fields
        self.saves += 1
        marker = f"load {RUN} {self.account['username']} {self.saves}"
        fields |= {
            "what_matters": "Meedoen en er voor anderen zijn.",
            "wishes": "Werken in een kwekerij.",
            "contribution": "Ik ben handig en precies.",
            "notes": marker,
        }
        # A current rung must be chosen; the select starts on "Choose a rung".
        rungs = [value for value in parsed.options.get("current_rung", []) if value]
        fields["current_rung"] = random.choice(rungs[:3]) if rungs else ""
        # Typing keeps a draft (htmx, a second after the last key).
        with self.post(
            f"{case}concept/intake/", fields, "intake draft (htmx)", case, htmx=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
        with self.post(url, fields, "intake save (htmx)", case, htmx=True) as response:
            if saved(response, "#case"):
                SAVES["intakes"].append(marker)

    def propose(self, pk, case):
        url = f"{case}plaatsing/"
        form = self.get(url, "propose form (htmx)", expect="csrfmiddlewaretoken", htmx=True)
        if form.status_code != 200:
            return
        parsed = form_in(form.text, url)
        choices = [
            provision
            for provision in parsed.radios.get("provision", [])
            if provision not in self.proposed[pk]
        ]
        if not choices:
            return  # every provision proposed for this resident already
        provision = random.choice(choices)
        fields = parsed.fields | {"provision": provision}
        with self.post(url, fields, "propose save (htmx)", case, htmx=True) as response:
            if saved(response, "#case"):
                self.proposed[pk].add(provision)
                SAVES["proposals"].append(f"{pk}:{provision}")


def logged_in(environment):
    """Once every user has logged in, keep the logins' figures apart and start the figures
    anew: a login hashes the password on purpose slowly (PBKDF2), and sixty of them in the
    first seconds would weigh on the figures of the work that follows."""
    if next(LOGGED_IN) < len(PLAN["consultants"]) + len(PLAN["social_team_members"]):
        return
    stats = environment.runner.stats
    for name, method in [("login form", "GET"), ("log in", "POST")]:
        entry = stats.get(name, method)
        SAVES["logins"][f"{method} {name}"] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "median_ms": entry.median_response_time,
            "p95_ms": entry.get_response_time_percentile(0.95),
            "max_ms": entry.max_response_time,
        }
    SAVES["logins"]["errors"] = [str(error.error) for error in stats.errors.values()]
    SAVES["reset_at"] = time.time()
    stats.reset_all()


def saved(response, target):
    """A saved step answers with the case, swapped in place of the form; a form with errors
    comes back as the form. Marks the response a failure unless it saved."""
    if response.status_code != 200:
        response.failure(f"status {response.status_code}")
        return False
    if response.headers.get("HX-Retarget") != target or "error-summary" in response.text:
        errors = re.findall(r'<li class="utrecht-unordered-list__item">(.*?)</li>', response.text)
        response.failure(f"not saved: {errors[:3] or response.text[:200]}")
        SAVES["unexpected"].append(errors[:3])
        return False
    return True


class SocialTeamMember(BrowserUser):
    """A social-team member reading the cases shared with their team."""

    fixed_count = len(PLAN["social_team_members"])

    def on_start(self):
        members = PLAN["social_team_members"]
        self.account = members[next(SOCIAL_TEAM_ACCOUNTS) % len(members)]
        super().on_start()

    @task
    def read_shared_case(self):
        page = self.get("/gedeelde-casussen/", "shared cases", expect="/clienten/")
        cases = CASE_LINK.findall(page.text)
        if not cases:
            return
        case = f"/clienten/{random.choice(cases)}/"
        self.get(case, "shared case page", expect="<h1")
        self.get(f"{case}tijdlijn/", "shared timeline (htmx)", htmx=True)


@events.quitting.add_listener
def write_saves(environment, **kwargs):
    if "reset_at" in SAVES:
        SAVES["measured_seconds"] = round(time.time() - SAVES.pop("reset_at"))
    Path(os.environ["LOAD_SAVES"]).write_text(json.dumps(SAVES))
