"""Server time and query count of the main pages at 10,000, 100,000 and 1,000,000 residents.

Run with `make bench` (PostgreSQL on 127.0.0.1 unless BENCH_DATABASE_URL says otherwise). Each
size gets its own database, `<base>_<size>`, seeded with `seed_demo --residents N`; seeding
tops up, so a second run reuses the data (pass --fresh to start over). Every page is requested
through Django's full middleware stack with the test client: the lists as the demo manager, who
sees every resident; the caseload, searches and timeline as the demo consultant, who holds a
fifth of them. Beside them, on the same data, the plain Django admin's changelist and the
hand-written SQL of what a page shows (bench/references.py). The table goes to
bench/results/<date>.md and .json.

Targets (issue 11): each page at the largest size within 1.5x of itself at the smallest, with the
same number of queries; the pages a consultant lives in with a p95 under 50 ms and the searches
10x faster than the admin, each served by an index; the case summary PDF under 1.3 s; the bulk
export at a steady rate in bounded memory."""

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from functools import partial
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
# BENCH_SIZES=1000,100000 for a quicker look; the first is the size the others are held to.
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "10000,100000,1000000").split(",")]
BASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fermwerk_bench")
SEARCH_TERM = "molenaar"  # one of the demo last names: about one resident in thirty
REPEATS = 30
# The requests of each page are spread over rounds, the sizes taking turns, so that whatever
# else the machine does weighs on every size alike.
ROUNDS = 3
TARGET_RATIO = 1.5
EXPORT_SUMMARIES = 1_000
SUMMARY_TARGET_SECONDS = 1.3
PDF_REPEATS = 2  # per round: a PDF takes seconds, not milliseconds
CASE_EVENTS = 200  # the case page, timeline and subject access PDF show a case this full
SUPERUSER = "bench-superuser"  # who opens the plain admin
# The pages a consultant lives in, each with its filters: their p95 stays under KEY_P95_MS at
# the largest size.
KEY_PAGES = ["caseload", "client list", "search by", "client detail"]
KEY_P95_MS = 50
ADMIN_FACTOR = 10  # the searches at least this many times faster than the plain admin
# Production settings in the measuring child: DEBUG off, static files from their manifest.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-not-secret",
    "ALLOWED_HOSTS": "testserver",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="drop and re-seed the databases")
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="only the pages, not the PDFs and the bulk export (to <date>-pages.md)",
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # in a child
    parser.add_argument("--measure-export", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure-summary", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure()))
        return
    if args.measure_export:
        print(json.dumps(measure_export()))
        return
    if args.measure_summary:
        print(json.dumps(measure_summary()))
        return
    prepared = {size: prepare(f"{BASE_URL}_{size}", size, fresh=args.fresh) for size in SIZES}
    run_child(
        f"{BASE_URL}_{SIZES[0]}",
        "manage.py",
        "collectstatic",
        "--no-input",
        "-v",
        "0",
        **PRODUCTION,
    )
    rounds = {size: [] for size in SIZES}
    for _round in range(ROUNDS):
        for size in SIZES:
            output = run_child(f"{BASE_URL}_{size}", "bench/run.py", "--measure", **PRODUCTION)
            rounds[size].append(json.loads(output.strip().splitlines()[-1]))
    results = {size: combine(rounds[size]) for size in SIZES}
    results["machine_ms"] = machine_speed()
    results["prepared_s"] = prepared
    suffix = "-pages" if args.pages_only else ""
    save_json(results, suffix)  # first: a measurement is kept whatever comes after it
    if args.pages_only:
        write(render(results), results, suffix)
        return
    # The bulk export in a process of its own, so its memory is the export's alone.
    # DEBUG off, as the worker runs in production: DEBUG keeps every query in memory.
    # On the largest database: a selection of EXPORT_SUMMARIES needs a municipality that big.
    output = run_child(
        f"{BASE_URL}_{SIZES[-1]}",
        "bench/run.py",
        "--measure-export",
        **PRODUCTION,
    )
    export = json.loads(output.strip().splitlines()[-1])
    output = run_child(f"{BASE_URL}_{SIZES[0]}", "bench/run.py", "--measure-summary", **PRODUCTION)
    summary = json.loads(output.strip().splitlines()[-1])
    results["summary"], results["export"] = summary, export
    write(render(results) + render_summary(summary) + render_export(export), results)


def machine_speed():
    """Milliseconds this machine's CPython takes for a fixed loop (best of five): machines of
    the same kind differ, and server times follow it, so each table says how fast its was."""
    times = []
    for _ in range(5):
        started = time.perf_counter()
        sum(range(10_000_000))
        times.append((time.perf_counter() - started) * 1000)
    return round(min(times), 1)


def combine(rounds):
    """One result per page from the rounds: median and p95 of all their requests, and the
    query counts of every round (they should not differ)."""
    results = dict(rounds[-1])
    for group in ("pages", "admin", "floor"):
        results[group] = {}
        for page in rounds[0][group]:
            times = sorted(ms for measured in rounds for ms in measured[group][page]["times"])
            queries = {measured[group][page].get("queries") for measured in rounds}
            results[group][page] = {
                "median_ms": statistics.median(times),
                "p95_ms": percentile(times, 95),
                "requests": len(times),
                "queries": max(queries, key=lambda q: q or 0),
            }
    return results


def percentile(ordered, percent):
    """The nearest-rank percentile of sorted values."""
    rank = max(1, -(-len(ordered) * percent // 100))
    return ordered[int(rank) - 1]


def result_path(suffix, extension):
    return ROOT / "bench" / "results" / f"{date.today().isoformat()}{suffix}.{extension}"


def save_json(results, suffix):
    result_path(suffix, "json").write_text(json.dumps(results, indent=1, default=str) + "\n")


def write(table, results, suffix=""):
    save_json(results, suffix)
    result_path(suffix, "md").write_text(table)
    print(table)
    print(f"Written to {result_path(suffix, 'md').relative_to(ROOT)} and .json")


def run_child(url, *args, **settings):
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "ALLOWED_HOSTS": "testserver"}
    env.update(settings)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def prepare(url, size, fresh):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        if fresh:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    started = time.monotonic()
    run_child(url, "manage.py", "migrate", "--no-input", "-v", "0")
    run_child(url, "manage.py", "seed_demo", "--residents", str(size))
    # As autovacuum would in production: statistics, visibility map, GIN pending list flushed.
    run_child(
        url,
        "manage.py",
        "shell",
        "-c",
        "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')",
    )
    seconds = round(time.monotonic() - started)
    print(f"{size} residents ready in {seconds} s", file=sys.stderr)
    return seconds


def measure():
    """In a child process whose DATABASE_URL names one size: time the pages, the plain admin
    and the floor SQL; each as a list of milliseconds, with the pages' query counts."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fermwerk.settings")
    sys.path.insert(0, str(ROOT))
    # Started as a production worker is, start-up's objects frozen out of the collector's way.
    importlib.import_module("fermwerk.wsgi")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bench import references
    from clients.models import Client
    from partners.models import Municipality, Organisation, OrganisationKind, User
    from provisions.models import ChainStep, Provision

    admin_changelist = references.mount_plain_admin()
    manager, consultant, social_team, superuser = (
        logged_in(username) for username in ("manager", "consultant", "socialteam", SUPERUSER)
    )
    resident = resident_with_events()
    # Outside their own caseload both say why first (break the glass), once per session.
    for browser in (manager, consultant):
        browser.post(
            reverse("trajectories:open_with_reason", args=[resident.pk]),
            {"reason": "Benchmark of the case pages."},
            secure=True,
        )
    found = Client.objects.search(SEARCH_TERM).order_by("pk").first()
    bsn, born = found.bsn, found.date_of_birth
    clients, mine = reverse("trajectories:list"), reverse("trajectories:mine")
    woerden = Municipality.objects.get(name="Woerden").pk
    provision = Provision.objects.order_by("-waiting_count", "pk").first()
    day_activities = ChainStep.objects.get(position=2).pk
    team = Organisation.objects.filter(
        kind=OrganisationKind.SOCIAL_TEAM, memberships__user__username="socialteam"
    ).first()
    searches = {
        "search by name": SEARCH_TERM,
        "search by BSN": bsn,
        "search by date of birth": born.strftime("%d-%m-%Y"),
    }
    pages = {
        "caseload": (consultant, mine),
        "caseload, one stage": (consultant, mine + "?stage=placement"),
        "caseload, overdue only": (consultant, mine + "?attention=on"),
        "caseload, one chain step": (consultant, mine + "?chain_step=4"),
        "caseload, category and stage": (consultant, mine + "?category=2&stage=reevaluation"),
        "client list": (manager, clients),
        "client list, one category": (manager, clients + "?category=3"),
        **{page: (consultant, clients + "?" + urlencode({"q": q})) for page, q in searches.items()},
        "client detail": (manager, reverse("trajectories:case", args=[resident.pk])),
        "timeline": (consultant, reverse("trajectories:timeline", args=[resident.pk])),
        "dashboard": (manager, reverse("reports")),
        "dashboard, one municipality and 36 months": (
            manager,
            reverse("reports") + f"?municipality={woerden}&start={three_years_ago()}",
        ),
        "period report PDF": (manager, reverse("period_report") + f"?municipality={woerden}"),
        "provision": (manager, reverse("provisions:detail", args=[provision.pk])),
        "chain": (manager, reverse("provisions:list")),
        "system map": (manager, reverse("provisions:system_map")),
        "business case, one chain step": (
            manager,
            reverse("trajectories:group_business_case") + "?trede=2&horizon=5",
        ),
        "business case, one resident": (
            manager,
            reverse("trajectories:business_case", args=[resident.pk]),
        ),
        "flows, 12 months": (manager, reverse("trajectories:flows")),
        "flows, one municipality and 36 months": (
            manager,
            reverse("trajectories:flows") + f"?municipality={woerden}&start={three_years_ago()}",
        ),
        "flows, residents into day activities": (
            manager,
            reverse("trajectories:flow_residents")
            + f"?start={three_years_ago()}&van=in&naar={day_activities}",
        ),
        "change history": (consultant, reverse("trajectories:history", args=[resident.pk])),
        "subject access PDF": (consultant, reverse("trajectories:export_pdf", args=[resident.pk])),
        "shared cases": (social_team, reverse("trajectories:shared")),
        "access log": (manager, reverse("access_log")),
        "access log, one resident": (manager, reverse("access_log") + f"?inwoner={resident.pk}"),
        "retention list": (manager, reverse("trajectories:past_retention")),
    }
    admin_pages = {
        "client list": admin_changelist,
        **{page: admin_changelist + "?" + urlencode({"q": q}) for page, q in searches.items()},
    }
    results = {"pages": {}, "admin": {}, "floor": {}}
    for page, (browser, url) in pages.items():
        times = timed(partial(browser.get, url, secure=True), PDF_REPEATS if "PDF" in page else 0)
        with CaptureQueriesContext(connection) as queries:
            browser.get(url, secure=True)
        results["pages"][page] = {"times": times, "queries": len(queries)}
    for page, url in admin_pages.items():
        results["admin"][page] = {"times": timed(partial(superuser.get, url, secure=True))}
    parameters = {
        "consultant": User.objects.get(username="consultant").pk,
        "resident": resident.pk,
        "pattern": f"%{SEARCH_TERM}%",
        "bsn": bsn,
        "born": born,
        "team": team.pk,
    }
    with connection.cursor() as cursor:
        for page, statements in references.floor_queries().items():
            fetch = partial(fetch_all, cursor, statements, parameters)
            results["floor"][page] = {"times": timed(fetch)}
    results["search plans"] = {
        page: explain(Client.objects.search(q)) for page, q in searches.items()
    }
    results["residents"] = Client.objects.count()
    return results


def fetch_all(cursor, statements, parameters):
    for sql in statements:
        cursor.execute(sql, parameters)
        cursor.fetchall()


def timed(request, repeats=0):
    """Milliseconds of each of this round's requests, after two to warm up."""
    for _ in range(2):
        response = request()
        assert getattr(response, "status_code", 200) == 200, response
    times = []
    for _ in range(repeats or REPEATS // ROUNDS):
        started = time.perf_counter()
        request()
        times.append((time.perf_counter() - started) * 1000)
    return times


def logged_in(username):
    """A test client logged in as a demo user; one with an authenticator app (managers and the
    superuser) has it recorded as passed, as the code step does (force_login skips it)."""
    from django.test import Client as TestClient
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from partners.models import User

    if username == SUPERUSER:
        user, _created = User.objects.get_or_create(
            username=SUPERUSER, defaults={"is_staff": True, "is_superuser": True}
        )
    else:
        user = User.objects.get(username=username)
    browser = TestClient()
    browser.force_login(user)
    if username in ("manager", SUPERUSER):
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, confirmed=True, defaults={"name": "bench"}
        )
        session = browser.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return browser


def resident_with_events():
    """A resident whose case has at least CASE_EVENTS timeline events (notes added once)."""
    from datetime import timedelta

    from clients.models import Client
    from partners.models import User
    from trajectories.models import CaseNote
    from trajectories.timeline import EventKind, case_timeline

    resident = Client.objects.filter(placements__status="ended").order_by("pk").first()
    have = len(case_timeline(resident, set(EventKind.values)))
    author = User.objects.get(username="consultant")
    CaseNote.objects.bulk_create(
        CaseNote(
            client=resident,
            kind=CaseNote.Kind.CONTACT,
            happened_on=date.today() - timedelta(days=n),
            text=f"Contact {n}: afspraken over de volgende stap in het traject.",
            author=author,
        )
        for n in range(1, CASE_EVENTS - have + 1)
    )
    return resident


def explain(queryset):
    from django.db import connection

    with connection.cursor() as cursor:
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def three_years_ago():
    """The first day of the month 35 months back: the longest period the dashboard takes."""
    today = date.today()
    month_index = today.year * 12 + today.month - 1 - 35
    return date(month_index // 12, month_index % 12 + 1, 1).isoformat()


def measure_export():
    """In a child process: the bulk export of EXPORT_SUMMARIES case summaries, run by the task
    itself as the worker runs it; per block (a process of its own each) its time, the task's
    resident memory after it and the peak of the block processes so far."""
    import resource
    import tempfile

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fermwerk.settings")
    os.environ["PRIVATE_FILES_ROOT"] = tempfile.mkdtemp(prefix="fermwerk-bench-")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db.models import Count

    from clients.models import Client
    from partners.models import User
    from trajectories import exports
    from trajectories.models import BulkExport

    manager = User.objects.get(username="manager")
    # The first EXPORT_SUMMARIES residents of the largest municipality: the task counts and
    # bounds the selection by the last one's pk, and the block processes stop there.
    largest = (
        Client.objects.visible_to(manager)
        .values("municipality")
        .annotate(residents=Count("pk"))
        .order_by("-residents")[0]["municipality"]
    )
    export = BulkExport.objects.create(
        requested_by=manager,
        municipality_id=largest,
        reason="Benchmark of the bulk export.",
        language="nl",
    )
    everyone = export.residents()
    last = everyone.values_list("pk", flat=True)[EXPORT_SUMMARIES - 1]
    BulkExport.residents = lambda export: everyone.filter(pk__lte=last)
    run_block, blocks, started = exports.run_block, [], time.perf_counter()

    def timed_block(*args):
        done = BulkExport.objects.get(pk=export.pk).done
        block_started = time.perf_counter()
        result = run_block(*args)
        summaries = BulkExport.objects.get(pk=export.pk).done - done
        if summaries:
            blocks.append(
                {
                    "summaries": summaries,
                    "seconds": time.perf_counter() - block_started,
                    "rss_mb": resident_memory_mb(),
                    "child_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                }
            )
        return result

    exports.run_block = timed_block
    exports.build.call(export.pk)
    export.refresh_from_db()
    return {
        "summaries": export.done,
        "status": export.status,
        "error": export.error,
        "seconds": time.perf_counter() - started,
        "zip_mb": export.file_path.stat().st_size / 2**20 if export.file_path.exists() else 0,
        "blocks": blocks,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "child_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def measure_summary():
    """In a child process: the PDF case summary of the resident whose case has CASE_EVENTS
    timeline events, rendered REPEATS // 3 times after one warm-up."""

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fermwerk.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import translation

    from partners.models import User
    from trajectories.summary import summary_pdf
    from trajectories.timeline import EventKind, case_timeline

    manager = User.objects.get(username="manager")
    client = resident_with_events()
    events = len(case_timeline(client, set(EventKind.values)))
    with translation.override("nl"):
        summary_pdf(client, manager)
        times = []
        for _ in range(REPEATS // 3):
            started = time.perf_counter()
            content = summary_pdf(client, manager)
            times.append(time.perf_counter() - started)
    import io

    from pypdf import PdfReader

    return {
        "events": events,
        "pages": len(PdfReader(io.BytesIO(content)).pages),
        "median_s": statistics.median(times),
        "max_s": max(times),
        "runs": len(times),
    }


def render_summary(summary):
    ok = summary["max_s"] < SUMMARY_TARGET_SECONDS
    return "\n".join(
        [
            "",
            f"## Case summary PDF with {summary['events']} timeline events",
            "",
            f"{summary['pages']} pages; median {summary['median_s']:.2f} s, slowest "
            f"{summary['max_s']:.2f} s of {summary['runs']} renders (DEBUG off): "
            f"{'meets' if ok else 'MISSES'} the target of {SUMMARY_TARGET_SECONDS} s.",
            "",
        ]
    )


def resident_memory_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def render_export(export):
    blocks = export["blocks"]
    rates = [block["summaries"] / block["seconds"] for block in blocks]
    # Every block starts a fresh process, so all of them, the first too, should keep one pace.
    steady = min(rates) >= 0.8 * max(rates) if rates else False
    growth = blocks[-1]["rss_mb"] - blocks[0]["rss_mb"] if blocks else 0
    lines = [
        "",
        f"## Bulk export of {export['summaries']:,} case summaries",
        "",
        f"Run by the task itself in a process of its own ({export['status']}"
        f"{': ' + export['error'] if export['error'] else ''}), each block of summaries "
        f"rendered by a process of its own that exits after it: {export['seconds']:.0f} s in "
        f"all, a ZIP of {export['zip_mb']:.1f} MB. Peak resident memory: the task "
        f"{export['peak_rss_mb']:.0f} MB (it grew {growth:.1f} MB from the first block to the "
        f"last), a block process {export['child_peak_mb']:.0f} MB. Rate "
        f"{'steady' if steady else 'NOT steady'} (the slowest block within 80% of the fastest).",
        "",
        "| summaries | seconds for this block | summaries per second | task's resident memory "
        "(MB) | peak of the block processes so far (MB) |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    total = 0
    for block, rate in zip(blocks, rates, strict=True):
        total += block["summaries"]
        lines.append(
            f"| {total:,} | {block['seconds']:.1f} | {rate:.1f} | {block['rss_mb']:.0f} "
            f"| {block['child_peak_mb']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def ms(measured):
    return f"{measured['median_ms']:.1f}" if measured else "–"


def render(results):
    smallest, largest = SIZES[0], SIZES[-1]
    small, large = results[smallest], results[largest]
    lines = [
        f"# Benchmark {date.today().isoformat()}",
        "",
        f"Server time in ms of {REPEATS} requests a page ({PDF_REPEATS * ROUNDS} for a PDF), in "
        f"{ROUNDS} rounds with the sizes taking turns, through the full middleware stack "
        "(Django test client, DEBUG off, static files from their manifest), PostgreSQL on the "
        "same machine. Lists as the demo manager, who sees every resident; caseload, searches "
        f"and timeline as the demo consultant; the case shown has {CASE_EVENTS} timeline "
        "events. Beside each page at the largest size: the floor (hand-written SQL fetching "
        "what the page shows, bench/references.py) and, for the lists and searches, a plain "
        "Django admin changelist of the residents with the same search.",
        "",
        f"Machine: {results['machine_ms']} ms for `sum(range(10_000_000))` in CPython (best of "
        "five); server times scale with it between machines of the same kind.",
        "",
        "Databases made ready (migrate, `seed_demo`, VACUUM ANALYZE) in "
        + ", ".join(f"{results['prepared_s'][size]:,} s at {size:,}" for size in SIZES)
        + " (seconds when a database was seeded before: seeding tops up).",
        "",
        "| page | "
        + " | ".join(f"median at {size:,}" for size in SIZES)
        + f" | p95 at {largest:,} | ratio | queries | floor | plain admin | verdict |",
        "| --- |" + " ---: |" * (len(SIZES) + 5) + " --- |",
    ]
    verdicts = []
    for page in small["pages"]:
        measured = [results[size]["pages"][page] for size in SIZES]
        ratio = measured[-1]["median_ms"] / measured[0]["median_ms"]
        queries = {m["queries"] for m in measured}
        floor = large["floor"].get(page)
        admin = large["admin"].get(page)
        misses = []
        if ratio > TARGET_RATIO:
            misses.append(f"slower than {TARGET_RATIO}x at {largest:,}")
        if len(queries) > 1:
            misses.append("query count grows")
        if page.startswith(tuple(KEY_PAGES)) and measured[-1]["p95_ms"] >= KEY_P95_MS:
            misses.append(f"p95 not under {KEY_P95_MS} ms")
        slow = admin and admin["median_ms"] < ADMIN_FACTOR * measured[-1]["median_ms"]
        if page.startswith("search") and slow:
            misses.append(f"not {ADMIN_FACTOR}x faster than the admin")
        verdicts.append(not misses)
        lines.append(
            f"| {page} | "
            + " | ".join(f"{m['median_ms']:.1f}" for m in measured)
            + f" | {measured[-1]['p95_ms']:.1f} | {ratio:.2f} | "
            + "/".join(str(m["queries"]) for m in measured)
            + f" | {ms(floor)} | {ms(admin)}"
            + f" | {'MISSES: ' + '; '.join(misses) if misses else 'meets targets'} |"
        )
    lines += [
        "",
        f"{sum(verdicts)} of {len(verdicts)} pages meet their targets: at {largest:,} within "
        f"{TARGET_RATIO}x of {smallest:,} with the same queries; the caseload (each filter), the "
        f"client list, the searches and the client detail with a p95 under {KEY_P95_MS} ms; "
        f"the searches at least {ADMIN_FACTOR}x faster than the plain admin.",
        "",
        "Residents: " + ", ".join(f"{results[size]['residents']:,}" for size in SIZES) + ".",
        "",
    ]
    for page, plan in large["search plans"].items():
        uses_index = "Index" in plan and "Seq Scan on clients_client" not in plan
        lines += [
            f"The {page} at {largest:,} "
            + ("uses an index" if uses_index else "DOES NOT use an index")
            + ":",
            "",
            "```",
            plan,
            "```",
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
