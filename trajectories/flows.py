"""How residents move over a period: who came in, who left and where to, how far they climbed
the participation ladder, and how many have been in the cycle for years. Each figure is one
query over the records of the period, for the cases given (already limited to what the user
may see and to the manager's filters)."""

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncMonth

from clients.models import Client, years_before

from .models import Intake, Reevaluation

# A resident in the cycle longer than this counts as long-term dependent on support.
LONG_TERM_YEARS = 2


def months(start, end):
    """The first day of every month from start's to end's."""
    month = start.replace(day=1)
    found = []
    while month <= end:
        found.append(month)
        month = month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)
    return found


def first_intakes(cases):
    """The intakes that brought a resident into the cycle: none held before them."""
    earlier = Intake.objects.filter(client=OuterRef("client"), held_on__lt=OuterRef("held_on"))
    return Intake.objects.filter(client__case__in=cases).exclude(Exists(earlier))


def inflow(cases, start, end):
    """{month: residents whose first intake was held in it}, every month of the period."""
    rows = (
        first_intakes(cases)
        .filter(held_on__range=(start, end))
        .annotate(month=TruncMonth("held_on"))
        .order_by()
        .values_list("month")
        .annotate(n=Count("client", distinct=True))
    )
    counted = dict(rows)
    return {month: counted.get(month, 0) for month in months(start, end)}


def outflow(cases, start, end):
    """{month: (files closed for paid work, closed for another reason)}, every month."""
    rows = (
        Client.objects.filter(case__in=cases, closed_on__range=(start, end))
        .annotate(month=TruncMonth("closed_on"))
        .order_by()
        .values_list("month")
        .annotate(
            paid_work=Count("pk", filter=Q(closed_reason=Client.ClosedReason.PAID_WORK)),
            elsewhere=Count("pk", filter=~Q(closed_reason=Client.ClosedReason.PAID_WORK)),
        )
    )
    counted = {month: (paid, other) for month, paid, other in rows}
    return {month: counted.get(month, (0, 0)) for month in months(start, end)}


def ladder_movement(cases, start, end):
    """{rungs moved: re-evaluations}: of the re-evaluations held in the period, how many
    rungs each found the resident up (positive) or down the ladder since the assessment
    before; only those with both assessments."""
    rows = (
        Reevaluation.objects.filter(
            client__case__in=cases,
            held_on__range=(start, end),
            rung_before__isnull=False,
            assessment__isnull=False,
        )
        .annotate(moved=F("assessment__current_rung__number") - F("rung_before__number"))
        .order_by("moved")
        .values_list("moved")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def long_term(cases, on):
    """(residents with an open file on the day who entered the cycle more than
    LONG_TERM_YEARS before it, residents with an open file on the day who had entered it)."""
    cutoff = years_before(on, LONG_TERM_YEARS)
    entered = Intake.objects.filter(client=OuterRef("pk"))
    counts = cases.filter(
        Q(client__closed_on__isnull=True) | Q(client__closed_on__gt=on)
    ).aggregate(
        long_term=Count("pk", filter=Exists(entered.filter(held_on__lt=cutoff))),
        entered=Count("pk", filter=Exists(entered.filter(held_on__lte=on))),
    )
    return counts["long_term"], counts["entered"]
