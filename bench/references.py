"""The two references each page is measured against, on the same data in the same run.

- What a Django team gets for free: a plain ModelAdmin of the resident model with a search over
  the name and BSN, as `startproject` and ten lines of admin.py give it, mounted at
  /bench-admin/ for the benchmark only.
- The floor: hand-written SQL that fetches exactly what the page shows, run on the same
  connection without the ORM, the templates or the middleware.

Imported by bench/run.py in its measuring child process, after django.setup().
"""

from django.contrib import admin
from django.urls import clear_url_caches, path

from clients.models import Client

ADMIN_PREFIX = "/bench-admin/"


class PlainClientAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "bsn", "date_of_birth", "municipality"]
    list_select_related = ["municipality"]
    search_fields = ["last_name", "first_name", "bsn"]


def mount_plain_admin():
    """Add the plain admin to the URLs before the first request resolves them."""
    from fermwerk import urls

    site = admin.AdminSite(name="bench_admin")
    site.register(Client, PlainClientAdmin)
    urls.urlpatterns.append(path(ADMIN_PREFIX.strip("/") + "/", site.urls))
    clear_url_caches()
    return ADMIN_PREFIX + "clients/client/"


# One page of a list of residents as the lists show it: name, date of birth, BSN,
# municipality, the stored state of the case (stage, category, what is due), the consultant.
LIST_ROWS = """
    SELECT c.id, c.first_name, c.name_prefix, c.last_name, c.date_of_birth, c.bsn, m.name,
           k.stage, cat.name, k.next_due_on, k.reevaluation_due_on, k.action_due_on,
           k.proposal_since, k.place_offerable, u.first_name, u.last_name
    FROM clients_client c
    JOIN trajectories_case k ON k.client_id = c.id
    JOIN partners_municipality m ON m.id = c.municipality_id
    LEFT JOIN trajectories_category cat ON cat.id = k.category_id
    LEFT JOIN partners_user u ON u.id = c.consultant_id
    WHERE {where}
    ORDER BY c.last_name, c.first_name, c.id
    LIMIT 25
"""
# How many there are, counted up to the cap past which the lists say "more than 1,000".
CAPPED_COUNT = "SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {where} LIMIT 1001) capped"

CASE_PAGE = [
    LIST_ROWS.format(where="c.id = %(resident)s"),
    """SELECT p.id, p.status, p.proposed_on, p.start_on, p.end_on, p.reevaluation_due_on, v.name
       FROM trajectories_placement p JOIN provisions_provision v ON v.id = p.provision_id
       WHERE p.client_id = %(resident)s ORDER BY p.proposed_on DESC, p.id DESC""",
    """SELECT a.assessed_on, a.current_rung_id, a.attainable_rung_id, s.life_domain_id, s.level_id
       FROM trajectories_assessment a
       LEFT JOIN trajectories_domainscore s ON s.assessment_id = a.id
       WHERE a.id = (SELECT id FROM trajectories_assessment WHERE client_id = %(resident)s
                     ORDER BY assessed_on DESC, id DESC LIMIT 1)""",
    """SELECT d.made_on, d.category_id, d.perspective, d.rationale FROM trajectories_diagnosis d
       WHERE d.client_id = %(resident)s ORDER BY d.made_on DESC, d.id DESC LIMIT 1""",
    """SELECT g.description, a.description, a.responsible, a.due_on, a.status
       FROM trajectories_planofaction p JOIN trajectories_goal g ON g.plan_id = p.id
       LEFT JOIN trajectories_action a ON a.goal_id = g.id
       WHERE p.client_id = %(resident)s ORDER BY g.id, a.id""",
]

# Every event of a case's timeline, newest first.
TIMELINE = """
    SELECT held_on AS day, 'intake' AS kind, what_matters AS text
      FROM trajectories_intake WHERE client_id = %(resident)s
    UNION ALL SELECT assessed_on, 'assessment', '' FROM trajectories_assessment
      WHERE client_id = %(resident)s
    UNION ALL SELECT made_on, 'diagnosis', rationale FROM trajectories_diagnosis
      WHERE client_id = %(resident)s
    UNION ALL SELECT drawn_up_on, 'plan', '' FROM trajectories_planofaction
      WHERE client_id = %(resident)s
    UNION ALL SELECT p.proposed_on, 'placement', v.name FROM trajectories_placement p
      JOIN provisions_provision v ON v.id = p.provision_id WHERE p.client_id = %(resident)s
    UNION ALL SELECT held_on, 'reevaluation', notes FROM trajectories_reevaluation
      WHERE client_id = %(resident)s
    UNION ALL SELECT happened_on, 'note', text FROM trajectories_casenote
      WHERE client_id = %(resident)s
    UNION ALL SELECT moved_on, 'transition', motives FROM trajectories_transition
      WHERE client_id = %(resident)s
    ORDER BY day DESC
"""

SHARED_CASES = [
    """SELECT c.id, c.first_name, c.name_prefix, c.last_name, m.name, k.stage, s.purpose,
              s.parts, s.valid_until, s.shared_at
       FROM clients_share s
       JOIN clients_client c ON c.id = s.client_id
       JOIN partners_municipality m ON m.id = c.municipality_id
       JOIN trajectories_case k ON k.client_id = c.id
       WHERE s.organisation_id = %(team)s AND s.withdrawn_at IS NULL
             AND s.valid_until >= CURRENT_DATE
       ORDER BY c.last_name, c.first_name, s.id
       LIMIT 25""",
    CAPPED_COUNT.format(
        table="clients_share",
        where="organisation_id = %(team)s AND withdrawn_at IS NULL AND valid_until >= CURRENT_DATE",
    ),
]


def floor_queries():
    """Page name (as in bench/run.py) to the SQL statements that fetch what the page shows."""
    search = "c.search_name LIKE %(pattern)s"
    return {
        "caseload": [
            LIST_ROWS.format(where="c.consultant_id = %(consultant)s"),
            CAPPED_COUNT.format(table="trajectories_case", where="consultant_id = %(consultant)s"),
        ],
        "client list": [
            LIST_ROWS.format(where="TRUE"),
            CAPPED_COUNT.format(table="trajectories_case", where="TRUE"),
        ],
        "search by name": [
            LIST_ROWS.format(where=search),
            CAPPED_COUNT.format(table="clients_client c", where=search),
        ],
        "search by BSN": [LIST_ROWS.format(where="c.bsn = %(bsn)s")],
        "search by date of birth": [
            LIST_ROWS.format(where="c.date_of_birth = %(born)s"),
            CAPPED_COUNT.format(table="clients_client", where="date_of_birth = %(born)s"),
        ],
        "client detail": CASE_PAGE,
        "timeline": [TIMELINE],
        "shared cases": SHARED_CASES,
    }
