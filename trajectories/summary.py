"""The case summary a consultant or manager hands over: one A4 PDF of where the resident
stands, with only the parts of the case the user may see."""

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation

from clients.models import ALL_PARTS, Part, Share, parts_visible_to

from .models import DomainScore, Transition
from .pdf import render_pdf
from .timeline import EventKind, case_timeline
from .views import case_file

# The newest events of the timeline the summary shows; the file holds the rest.
TIMELINE_EXCERPT = 200


def summary_context(client, user, now=None):
    parts = parts_visible_to(user, client)
    records = case_file(client)
    scores = DomainScore.objects.select_related("life_domain", "level")
    # The latest assessment and the one before it, their scores side by side per domain.
    latest, previous = (
        list(
            client.assessments.select_related("current_rung").prefetch_related(
                Prefetch("scores", scores)
            )[:2]
        )
        + [None, None]
    )[:2]
    events = case_timeline(client, set(EventKind.values), parts, user)
    return {
        "client": client,
        "case": client.case,
        "parts": {part.name: part.value in parts for part in Part},
        "everything": parts == ALL_PARTS,
        "records": records,
        "latest": latest,
        "previous": previous,
        "score_rows": score_rows(latest, previous),
        "transitions": list(
            Transition.objects.filter(client=client)
            .select_related("from_placement__provision", "to_placement__provision")
            .prefetch_related("blockers")
            .order_by("-moved_on", "-pk")
        ),
        "events": events[:TIMELINE_EXCERPT],
        "events_left_out": max(len(events) - TIMELINE_EXCERPT, 0),
        # Staff see every share; another organisation the ones that let it read the case.
        "shares": list(
            (
                client.shares
                if user.has_perm("clients.view_share")
                else Share.objects.active().with_user(user).filter(client=client)
            ).select_related("organisation")
        ),
        "printed_at": now or timezone.now(),
        "printed_by": user,
    }


def score_rows(latest, previous):
    """[(life domain, latest level, previous level or None)] in the latest's order."""
    if latest is None:
        return []
    before = {score.life_domain_id: score for score in previous.scores.all()} if previous else {}
    return [(score, before.get(score.life_domain_id)) for score in latest.scores.all()]


def summary_pdf(client, user, target=None, language=None, now=None):
    """The summary as PDF bytes, or written to the file object `target`."""
    with translation.override(language or translation.get_language()):
        html = render_to_string("trajectories/summary_pdf.html", summary_context(client, user, now))
        return render_pdf(html, target)
