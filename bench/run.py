"""Server time and query count of the main pages at 1,000 and at 100,000 residents.

Run with `make bench` (PostgreSQL on 127.0.0.1 unless BENCH_DATABASE_URL says otherwise). Each
size gets its own database, `<base>_<size>`, seeded with `seed_demo --residents N`; seeding
tops up, so a second run reuses the data (pass --fresh to start over). Every page is requested
through Django's full middleware stack with the test client: the lists, search and case page as
the demo manager, who sees every resident; the caseload and timeline as the demo consultant, who
holds a fifth of them. The table goes to bench/results/<date>.md.

Target (issues 3, 7 and 10): each page at 100,000 no slower than 1.5x itself at 1,000, with the
same number of queries, and the name search served by an index.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = [1_000, 100_000]
BASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fermwerk_bench")
SEARCH_TERM = "molenaar"  # one of the demo last names: about one resident in thirty
REPEATS = 30
# The requests of each page are spread over rounds, the sizes taking turns, so that whatever
# else the machine does weighs on every size alike.
ROUNDS = 3
TARGET_RATIO = 1.5
EXPORT_SUMMARIES = 1_000
SUMMARY_EVENTS = 200
SUMMARY_TARGET_SECONDS = 1.3


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
    for size in SIZES:
        prepare(f"{BASE_URL}_{size}", size, fresh=args.fresh)
    rounds = {size: [] for size in SIZES}
    for _round in range(ROUNDS):
        for size in SIZES:
            output = run_child(f"{BASE_URL}_{size}", "bench/run.py", "--measure")
            rounds[size].append(json.loads(output.strip().splitlines()[-1]))
    results = {size: combine(rounds[size]) for size in SIZES}
    if args.pages_only:
        write(render(results), "-pages")
        return
    # The bulk export in a process of its own, so its memory is the export's alone.
    # DEBUG off, as the worker runs in production: DEBUG keeps every query in memory.
    # On the largest database: a selection of EXPORT_SUMMARIES needs a municipality that big.
    output = run_child(
        f"{BASE_URL}_{SIZES[-1]}",
        "bench/run.py",
        "--measure-export",
        DEBUG="0",
        SECRET_KEY="bench-only-not-secret",
    )
    export = json.loads(output.strip().splitlines()[-1])
    production = {"DEBUG": "0", "SECRET_KEY": "bench-only-not-secret"}
    output = run_child(f"{BASE_URL}_{SIZES[0]}", "bench/run.py", "--measure-summary", **production)
    summary = json.loads(output.strip().splitlines()[-1])
    write(render(results) + render_summary(summary) + render_export(export))


def combine(rounds):
    """One result per page from the rounds: the median of all their requests."""
    results = dict(rounds[0])
    for page, first in rounds[0].items():
        if isinstance(first, dict):
            times = [ms for measured in rounds for ms in measured[page]["times"]]
            results[page] = {"ms": statistics.median(times), "queries": first["queries"]}
    return results


def write(table, suffix=""):
    out = ROOT / "bench" / "results" / f"{date.today().isoformat()}{suffix}.md"
    out.write_text(table)
    print(table)
    print(f"Written to {out.relative_to(ROOT)}")


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
    print(f"{size} residents ready in {time.monotonic() - started:.0f} s", file=sys.stderr)


def measure():
    """In a child process whose DATABASE_URL names one size: time the pages."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fermwerk.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from clients.models import Client
    from partners.models import Municipality, User
    from provisions.models import ChainStep, Provision

    manager, consultant = TestClient(), TestClient()
    demo_manager = User.objects.get(username="manager")
    manager.force_login(demo_manager)
    # Managers log in with a code from an authenticator app: the bench's demo manager has one, and
    # the session records it as passed, as the code step does (force_login skips it).
    device, _created = TOTPDevice.objects.get_or_create(
        user=demo_manager, confirmed=True, defaults={"name": "bench"}
    )
    session = manager.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    consultant.force_login(User.objects.get(username="consultant"))
    social_team = TestClient()
    social_team.force_login(User.objects.get(username="socialteam"))
    resident = Client.objects.filter(placements__status="ended").order_by("pk").first()
    # Outside their own caseload both say why first (break the glass), once per session.
    for browser in (manager, consultant):
        browser.post(
            reverse("trajectories:open_with_reason", args=[resident.pk]),
            {"reason": "Benchmark of the case pages."},
        )
    mine = reverse("trajectories:mine")
    woerden = Municipality.objects.get(name="Woerden").pk
    provision = Provision.objects.order_by("-waiting_count", "pk").first()
    day_activities = ChainStep.objects.get(position=2).pk
    pages = {
        "client list": (manager, reverse("trajectories:list")),
        "client list, one category": (manager, reverse("trajectories:list") + "?category=3"),
        "search": (manager, reverse("trajectories:list") + f"?q={SEARCH_TERM}"),
        "client detail": (manager, reverse("trajectories:case", args=[resident.pk])),
        "caseload": (consultant, mine),
        "caseload, one stage": (consultant, mine + "?stage=placement"),
        "caseload, overdue only": (consultant, mine + "?attention=on"),
        "caseload, one chain step": (consultant, mine + "?chain_step=4"),
        "caseload, category and stage": (consultant, mine + "?category=2&stage=reevaluation"),
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
    results = {}
    for page, (browser, url) in pages.items():
        for _ in range(2):  # warm up caches and connections
            assert browser.get(url).status_code == 200
        times = []
        for _ in range(REPEATS // ROUNDS):
            started = time.perf_counter()
            browser.get(url)
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            browser.get(url)
        results[page] = {"times": times, "queries": len(queries)}
    with connection.cursor() as cursor:
        sql, params = Client.objects.search(SEARCH_TERM).query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    results["search plan"] = plan
    results["residents"] = Client.objects.count()
    return results


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
    """In a child process: the PDF case summary of a resident with SUMMARY_EVENTS timeline
    events, rendered REPEATS // 3 times after one warm-up; the notes are rolled back after."""
    from datetime import timedelta

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fermwerk.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import transaction
    from django.utils import translation

    from clients.models import Client
    from partners.models import User
    from trajectories.models import CaseNote
    from trajectories.summary import summary_pdf
    from trajectories.timeline import EventKind, case_timeline

    manager = User.objects.get(username="manager")
    client = Client.objects.filter(anonymised_on__isnull=True).order_by("pk").first()
    with transaction.atomic():
        have = len(case_timeline(client, set(EventKind.values)))
        CaseNote.objects.bulk_create(
            CaseNote(
                client=client,
                kind=CaseNote.Kind.CONTACT,
                happened_on=date.today() - timedelta(days=n),
                text=f"Contact {n}: afspraken over de volgende stap in het traject.",
                author=manager,
            )
            for n in range(1, SUMMARY_EVENTS - have + 1)
        )
        events = len(case_timeline(client, set(EventKind.values)))
        with translation.override("nl"):
            summary_pdf(client, manager)
            times = []
            for _ in range(REPEATS // 3):
                started = time.perf_counter()
                content = summary_pdf(client, manager)
                times.append(time.perf_counter() - started)
        transaction.set_rollback(True)
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


def render(results):
    small, large = (results[size] for size in SIZES)
    lines = [
        f"# Benchmark {date.today().isoformat()}",
        "",
        f"Median server time of {REPEATS} requests (in {ROUNDS} rounds, the sizes taking turns) "
        "through the full middleware stack (Django test "
        "client; lists and case page as the demo manager, who sees every resident; caseload and "
        "timeline as the demo consultant, who holds a fifth of them), PostgreSQL on the same "
        "machine, DEBUG on.",
        "",
        f"| page | ms at {SIZES[0]:,} | ms at {SIZES[1]:,} | ratio | queries at {SIZES[0]:,} "
        f"| queries at {SIZES[1]:,} | verdict |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for page in small:
        if page in ("search plan", "residents"):
            continue
        a, b = small[page], large[page]
        ratio = b["ms"] / a["ms"]
        ok = ratio <= TARGET_RATIO and a["queries"] == b["queries"]
        lines.append(
            f"| {page} | {a['ms']:.1f} | {b['ms']:.1f} | {ratio:.2f} | {a['queries']} "
            f"| {b['queries']} | {'meets target' if ok else 'MISSES target'} |"
        )
    uses_index = "client_search_name_trgm" in large["search plan"]
    verdict = "uses the trigram index" if uses_index else "DOES NOT use the trigram index"
    lines += [
        "",
        f"Residents: {small['residents']:,} and {large['residents']:,}. Name search at "
        f"{SIZES[1]:,} {verdict}:",
        "",
        "```",
        large["search plan"],
        "```",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
