"""Load test: 50 consultants working on cases and 10 social-team members reading shared ones,
at once, against gunicorn with several workers on PostgreSQL, on this machine's loopback.

Run with `make load` (PostgreSQL on 127.0.0.1 unless LOAD_DATABASE_URL says otherwise). The
database (`fermwerk_load` by default) is seeded with `seed_demo --residents N` if it is not
already; the load-test accounts and their residents are added to it, and each run first ends
the placements the previous run proposed, so every run starts from the same cases. gunicorn
serves the app with the production settings (DEBUG off, secure cookies, SSL redirect on): the
load test plays the TLS-terminating proxy by sending `X-Forwarded-Proto: https`, as a proxy in
production does. locust runs headless for LOAD_RUN_TIME; afterwards every save the load test
saw succeed is looked up in the database (a save it saw succeed but cannot find is a lost
update). The table goes to bench/results/<date>-load.md, with the figures in .json.
"""

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fermwerk_load"
)
RESIDENTS = int(os.environ.get("LOAD_RESIDENTS", "10000"))
CONSULTANTS = 50
SOCIAL_TEAM_MEMBERS = 10
# Each consultant works on cases of their own, so that no two consultants write one case.
RESIDENTS_PER_CONSULTANT = 10
# Of each consultant's residents, so many are shared with their municipality's social team:
# the social-team members read cases that are being written at the same moment.
SHARED_PER_CONSULTANT = 2
USERS = CONSULTANTS + SOCIAL_TEAM_MEMBERS
SPAWN_RATE = 10
RUN_TIME = os.environ.get("LOAD_RUN_TIME", "90s")
# Seconds each user reads a page before the next request, at random between the two: 3 to 10
# is a consultant at work; 0.5 to 2 asks what the machine can take (`LOAD_THINK=0.5,2`).
THINK = os.environ.get("LOAD_THINK", "3,10")
PORT = int(os.environ.get("LOAD_PORT", "8089"))
WORKERS = int(os.environ.get("LOAD_WORKERS", str(2 * (os.cpu_count() or 2) + 1)))
# The production settings, but for the host name: the app is reached on the loopback address.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "load-test-only-not-secret",
    "ALLOWED_HOSTS": "127.0.0.1",
}
CONSULTANT_NAME = "load-consultant-{:02d}"
SOCIAL_TEAM_NAME = "load-socialteam-{:02d}"
# The load-test residents' last names: one word, so a search for it finds that resident only.
RESIDENT_NAME = "Lasttest{:02d}x{:02d}"
FIRST_NAMES = ["Anouk", "Bram", "Chantal", "Dirk", "Esra", "Floor", "Gerrit", "Hanna", "Ivo"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepare", metavar="PLAN", help=argparse.SUPPRESS)  # in a child
    parser.add_argument("--check", nargs=2, metavar=("PLAN", "SAVES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        Path(args.prepare).write_text(json.dumps(prepare_accounts(), indent=1))
        return
    if args.check:
        plan, saves = (json.loads(Path(name).read_text()) for name in args.check)
        print(json.dumps(check(plan, saves)))
        return
    run()


def run():
    prepare_database()
    with tempfile.TemporaryDirectory(prefix="fermwerk-load-") as work:
        work = Path(work)
        run_child("bench/load.py", "--prepare", str(work / "plan.json"), DEBUG="1")
        run_child("manage.py", "collectstatic", "--no-input", "-v", "0", **PRODUCTION)
        log = work / "gunicorn.log"
        server = start_gunicorn(log)
        try:
            locust = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    "bench/locustfile.py",
                    "--headless",
                    "--users",
                    str(USERS),
                    "--spawn-rate",
                    str(SPAWN_RATE),
                    "--run-time",
                    RUN_TIME,
                    "--host",
                    f"http://127.0.0.1:{PORT}",
                    "--csv",
                    str(work / "locust"),
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env={
                    **os.environ,
                    "LOAD_PLAN": str(work / "plan.json"),
                    "LOAD_THINK": THINK,
                    "LOAD_SAVES": str(work / "saves.json"),
                },
            )
        finally:
            stop(server)
        server_errors = server_errors_in(log)
        if server_errors:
            print(log.read_text()[-20_000:], file=sys.stderr)
        output = run_child(
            "bench/load.py", "--check", str(work / "plan.json"), str(work / "saves.json"), DEBUG="1"
        )
        checked = json.loads(output.strip().splitlines()[-1])
        saves = json.loads((work / "saves.json").read_text())
        results = {
            "date": date.today().isoformat(),
            "configuration": {
                "workers": WORKERS,
                "consultants": CONSULTANTS,
                "social_team_members": SOCIAL_TEAM_MEMBERS,
                "spawn_rate": SPAWN_RATE,
                "run_time": RUN_TIME,
                "think_seconds": THINK.replace(",", "-"),
                "residents": RESIDENTS,
                "cores": os.cpu_count(),
            },
            "requests": read_stats(work / "locust_stats.csv"),
            "failures": read_failures(work / "locust_failures.csv"),
            "server_errors": server_errors,
            "unexpected": saves["unexpected"],
            "logins": saves["logins"],
            # The figures start once every user has logged in (see the locustfile).
            "measured_seconds": saves.get("measured_seconds"),
            **checked,
        }
    write(render(results), results)
    failed = locust.returncode or server_errors or results["lost_updates"]
    sys.exit(1 if failed else 0)


def prepare_database():
    """Create the database if it is missing, migrate it and seed it (seeding tops up)."""
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    run_child("manage.py", "migrate", "--no-input", "-v", "0", DEBUG="1")
    run_child("manage.py", "seed_demo", "--residents", str(RESIDENTS), DEBUG="1")
    if not exists:
        # As autovacuum would in production: statistics and visibility map.
        run_child(
            "manage.py",
            "shell",
            "-c",
            "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')",
            DEBUG="1",
        )


def run_child(*args, **settings):
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, **settings}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def start_gunicorn(log):
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, **PRODUCTION}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "fermwerk.wsgi",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--error-logfile",
            "-",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped:\n{log.read_text()}")
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{PORT}/inloggen/", headers={"X-Forwarded-Proto": "https"}
            )
            with urllib.request.urlopen(request, timeout=5):
                return server
        except OSError:  # refused while it starts, or a timeout
            time.sleep(0.5)
    stop(server)
    raise SystemExit(f"gunicorn did not answer within 30 s:\n{log.read_text()}")


def stop(server):
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def server_errors_in(log):
    """The errors gunicorn's log holds: Django's 'Internal Server Error' and worker timeouts."""
    lines = log.read_text().splitlines()
    return [
        line
        for line in lines
        if "Internal Server Error" in line or "WORKER TIMEOUT" in line or "Traceback" in line
    ]


def read_stats(path):
    rows = []
    with path.open() as file:
        for row in csv.DictReader(file):
            rows.append(
                {
                    "name": row["Name"],
                    "method": row["Type"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "median_ms": float(row["50%"] if row["50%"] != "N/A" else 0),
                    "p95_ms": float(row["95%"] if row["95%"] != "N/A" else 0),
                    "max_ms": float(row["Max Response Time"]),
                    "requests_per_s": float(row["Requests/s"]),
                }
            )
    return rows


def read_failures(path):
    if not path.exists():
        return []
    with path.open() as file:
        return [
            {
                "name": row["Name"],
                "method": row["Method"],
                "error": row["Error"],
                "occurrences": int(row["Occurrences"]),
            }
            for row in csv.DictReader(file)
        ]


def render(results):
    config = results["configuration"]
    lines = [
        f"# Load test, {results['date']}",
        "",
        f"{config['consultants']} consultants (search, open a case, save an intake, propose a "
        f"placement) and {config['social_team_members']} social-team members (the shared cases, "
        f"open one) at once, each reading a page {config['think_seconds']} s before the next "
        f"request, for {config['run_time']} after a ramp of {config['spawn_rate']} "
        f"users a second; gunicorn with {config['workers']} sync workers on PostgreSQL, "
        f"{config['residents']:,} residents, {config['cores']} cores shared by server, "
        "database and locust. Times in milliseconds, as locust measured them.",
        "",
        (
            f"The figures below cover the last {results['measured_seconds']} s, after every "
            "user had logged in; the logins (a deliberately slow password hash each) are "
            "counted apart, after the table."
            if results["measured_seconds"] is not None
            else "Not every user had logged in by the end: the figures include the logins."
        ),
        "",
        "| request | requests | failures | median | p95 | max | requests/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results["requests"]:
        if not row["requests"]:
            continue  # the logins, counted apart (below)
        name = "**total**" if row["name"] == "Aggregated" else f"{row['method']} {row['name']}"
        lines.append(
            f"| {name} | {row['requests']} | {row['failures']} | {row['median_ms']:.0f} "
            f"| {row['p95_ms']:.0f} | {row['max_ms']:.0f} | {row['requests_per_s']:.1f} |"
        )
    lines.append("")
    for name, login in results["logins"].items():
        if name != "errors":
            lines.append(
                f"- Logins, {name}: {login['requests']} requests, {login['failures']} failures, "
                f"median {login['median_ms']:.0f}, p95 {login['p95_ms']:.0f}, "
                f"max {login['max_ms']:.0f}."
            )
    lines += [
        f"- Saves the load test saw succeed: {results['intakes_reported']} intakes, "
        f"{results['proposals_reported']} proposals.",
        f"- Lost updates (seen to succeed, not in the database): **{results['lost_updates']}**.",
        f"- Saved though the load test saw them fail: {results['unreported_saves']}.",
        f"- Failed requests: **{sum(row['occurrences'] for row in results['failures'])}**; "
        f"errors in gunicorn's log: **{len(results['server_errors'])}**.",
    ]
    for failure in results["failures"]:
        lines.append(
            f"  - {failure['method']} {failure['name']}: {failure['error']} "
            f"({failure['occurrences']}x)"
        )
    if results["unexpected"]:
        lines.append(f"- Unexpected answers: {results['unexpected'][:10]}")
    return "\n".join(lines) + "\n"


def write(table, results):
    think = results["configuration"]["think_seconds"]
    suffix = "" if think == "3-10" else f"-think-{think}"
    stem = ROOT / "bench" / "results" / f"{results['date']}-load{suffix}"
    # Not with_suffix: a think time such as 0.5-2 has a dot of its own.
    stem.parent.joinpath(stem.name + ".md").write_text(table)
    stem.parent.joinpath(stem.name + ".json").write_text(json.dumps(results, indent=1) + "\n")
    print(table)
    print(f"Written to {stem.relative_to(ROOT)}.md and .json")


# In a child process with DATABASE_URL set: the accounts and residents, and the check.


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fermwerk.settings")
    import django

    django.setup()


def prepare_accounts():
    """The load-test consultants with residents of their own (each with an intake, a
    diagnosis and a plan, so a placement can be proposed), social-team members, and some of
    the residents shared with them; created once, with the app's own model methods. The
    placements an earlier run proposed are ended, so each run starts alike. Returns the plan
    the locustfile follows and the check reads."""
    setup_django()
    from django.contrib.auth.models import Group
    from django.db import transaction

    from clients.bsn import passes_eleven_test
    from clients.models import Client, LawfulBasis, Part, Share
    from fermwerk.demo.region import DEMO_PASSWORD
    from partners.models import Membership, Municipality, Organisation, OrganisationKind, Role, User
    from provisions.models import Participation
    from trajectories.models import (
        Case,
        Category,
        Diagnosis,
        Intake,
        LadderRung,
        Perspective,
        Placement,
        PlanOfAction,
    )

    today = date.today()
    werkbedrijf = Organisation.objects.get(kind=OrganisationKind.WORK_COMPANY)
    municipalities = list(Municipality.objects.order_by("name"))
    teams = {
        team.municipalities.get().pk: team
        for team in Organisation.objects.filter(kind=OrganisationKind.SOCIAL_TEAM)
    }
    rungs = list(LadderRung.objects.order_by("number"))
    category = Category.objects.order_by("number").first()
    taken = set(Client.objects.values_list("bsn", flat=True))
    # Fictional BSNs starting with 8 (the demo's start with 9), each passing the 11-test.
    numbers = (
        bsn
        for bsn in (f"8{n:08d}" for n in range(10_000_000, 99_999_999, 7_919))
        if passes_eleven_test(bsn) and bsn not in taken
    )

    def account(username, first, last, role, organisation, job_title):
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=role))
            Membership.objects.create(user=user, organisation=organisation, job_title=job_title)
        return user

    plan = {"consultants": [], "social_team_members": []}
    for number in range(1, CONSULTANTS + 1):
        with transaction.atomic():
            consultant = account(
                CONSULTANT_NAME.format(number),
                "Load",
                f"Consultant {number:02d}",
                Role.CONSULTANT,
                werkbedrijf,
                "Klantmanager",
            )
            residents = []
            for index in range(RESIDENTS_PER_CONSULTANT):
                last_name = RESIDENT_NAME.format(number, index)
                client = Client.objects.filter(last_name=last_name).first()
                if client is None:
                    municipality = municipalities[(number + index) % len(municipalities)]
                    client = Client(
                        first_name=FIRST_NAMES[(number + index) % len(FIRST_NAMES)],
                        last_name=last_name,
                        bsn=next(numbers),
                        date_of_birth=today - timedelta(days=365 * 30 + number * 17 + index),
                        municipality=municipality,
                        city=municipality.name,
                        consultant=consultant,
                    )
                    client.save()
                    Case.objects.refresh(client.pk)
                    Intake.hold(
                        client,
                        today - timedelta(days=30),
                        consultant,
                        {"current_rung": rungs[1], "attainable_rung": rungs[3], "scores": []},
                        what_matters="Een vaste plek en collega's.",
                    )
                    Diagnosis(
                        client=client,
                        made_on=today - timedelta(days=20),
                        consultant=consultant,
                        category=category,
                        perspective=Perspective.values[0],
                        target_rung=rungs[2],
                        rationale="Kan met begeleiding stappen zetten.",
                    ).make()
                    PlanOfAction.add_goal(
                        client, consultant, "Dagbesteding vinden.", Participation.SOCIAL
                    )
                    if index < SHARED_PER_CONSULTANT:
                        Share.objects.create(
                            client=client,
                            organisation=teams[municipality.pk],
                            basis=LawfulBasis.LEGAL_TASK,
                            legal_article="Wmo 2015 art. 2.3.2",
                            purpose="Afstemmen van de ondersteuning thuis (load test).",
                            parts=list(Part.values),
                            valid_until=today + timedelta(days=365),
                            shared_by=consultant,
                        )
                # What an earlier run proposed ends, through the model, so places come free.
                for placement in client.placements.open():
                    placement.end(today, Placement.EndReason.OTHER, "Load test: reset.")
                residents.append({"pk": client.pk, "last_name": last_name})
        plan["consultants"].append({"username": consultant.username, "residents": residents})
    team_list = [teams[municipality.pk] for municipality in municipalities]
    for number in range(1, SOCIAL_TEAM_MEMBERS + 1):
        member = account(
            SOCIAL_TEAM_NAME.format(number),
            "Load",
            f"Social team {number:02d}",
            Role.SOCIAL_TEAM,
            team_list[number % len(team_list)],
            "Medewerker sociaal team",
        )
        plan["social_team_members"].append({"username": member.username})
    plan["password"] = DEMO_PASSWORD
    # The check looks at what was written after this point only.
    plan["intake_floor"] = Intake.objects.order_by("-pk").values_list("pk", flat=True).first()
    plan["placement_floor"] = (
        Placement.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    )
    return plan


def check(plan, saves):
    """Every save the load test saw succeed, looked up in the database; and the saves that
    are there though the load test saw them fail (a timeout after the commit)."""
    setup_django()
    from trajectories.models import Intake, Placement

    residents = [r["pk"] for c in plan["consultants"] for r in c["residents"]]
    stored_intakes = set(
        Intake.objects.filter(client__in=residents, pk__gt=plan["intake_floor"]).values_list(
            "notes", flat=True
        )
    )
    stored_placements = {
        f"{client}:{provision}"
        for client, provision in Placement.objects.filter(
            client__in=residents, pk__gt=plan["placement_floor"]
        ).values_list("client", "provision")
    }
    intakes, proposals = set(saves["intakes"]), set(saves["proposals"])
    return {
        "intakes_reported": len(intakes),
        "proposals_reported": len(proposals),
        "intakes_stored": len(stored_intakes),
        "proposals_stored": len(stored_placements),
        "lost_updates": len(intakes - stored_intakes) + len(proposals - stored_placements),
        "lost": sorted(intakes - stored_intakes) + sorted(proposals - stored_placements),
        "unreported_saves": len(stored_intakes - intakes) + len(stored_placements - proposals),
    }


if __name__ == "__main__":
    main()
