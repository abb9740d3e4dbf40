"""How residents move over a period: who came in, who left and where to, how far they moved
on the participation ladder, how many have been in the cycle for years, and how many cases
are late today. Each figure sums a few stored counts (FlowCount, kept by every rebuild of a
case), for the counts given (already limited to what the user may see and to the manager's
filters)."""

from django.db.models import Q, Sum

from .models import FlowKind, add_months, stall_limit

# A resident in the cycle longer than this counts as long-term dependent on support.
LONG_TERM_YEARS = 2


def months(start, end):
    """The first day of every month from start's to end's."""
    month, found = start.replace(day=1), []
    while month <= end:
        found.append(month)
        month = add_months(month, 1)
    return found


def summed(counts, start, end, *kinds):
    """{(kind, month, rungs): residents} of these kinds in the months of the period."""
    rows = (
        counts.filter(kind__in=kinds, month__range=(start.replace(day=1), end))
        .order_by()
        .values_list("kind", "month", "rungs")
        .annotate(n=Sum("count"))
    )
    return {(kind, month, rungs): n for kind, month, rungs, n in rows}


def inflow(counts, start, end):
    """{month: residents whose first intake was held in it}, every month of the period."""
    found = summed(counts, start, end, FlowKind.ENTERED)
    return {month: found.get((FlowKind.ENTERED, month, 0), 0) for month in months(start, end)}


def outflow(counts, start, end):
    """{month: (files closed for paid work, closed for another reason)}, every month."""
    paid, otherwise = FlowKind.LEFT_FOR_PAID_WORK, FlowKind.LEFT_OTHERWISE
    found = summed(counts, start, end, paid, otherwise)
    return {
        month: (found.get((paid, month, 0), 0), found.get((otherwise, month, 0), 0))
        for month in months(start, end)
    }


def ladder_movement(counts, start, end):
    """{rungs moved: residents}: of the residents whose latest assessment fell in the period,
    how many rungs it found them up (positive) or down the ladder since the one before."""
    moved = {}
    for (_kind, _month, rungs), n in summed(counts, start, end, FlowKind.MOVED).items():
        moved[rungs] = moved.get(rungs, 0) + n
    return {rungs: n for rungs, n in sorted(moved.items()) if n}


def long_term(counts, today):
    """(residents with an open file today who came in more than LONG_TERM_YEARS before this
    month, residents with an open file today who came in), counted by whole months."""
    cutoff = add_months(today.replace(day=1), -12 * LONG_TERM_YEARS)
    in_cycle = counts.filter(kind=FlowKind.IN_CYCLE)
    found = in_cycle.aggregate(
        long_term=Sum("count", filter=Q(month__lt=cutoff)), entered=Sum("count")
    )
    return found["long_term"] or 0, found["entered"] or 0


def attention(counts, today):
    """{consultant pk or None: (re-evaluations overdue, proposals stalled)} as they stand
    today, for the consultants with either.

    A re-evaluation is overdue when it fell due before today, a proposal stalled when it was
    made before stall_limit(today). The counts by month give the cases whose date falls in a
    month before the limit's, the counts by day those of the limit's month before the limit:
    exact to the day, from at most a month of days."""
    overdue = [FlowKind.REEVALUATION_DUE, FlowKind.REEVALUATION_DUE_DAY]
    stalled = [FlowKind.PROPOSAL_WAITING, FlowKind.PROPOSAL_WAITING_DAY]
    late = Q()
    for (by_month, by_day), limit in [(overdue, today), (stalled, stall_limit(today))]:
        month = limit.replace(day=1)
        late |= Q(kind=by_month, month__lt=month) | Q(
            kind=by_day, month__gte=month, month__lt=limit
        )
    rows = (
        counts.filter(late)
        .order_by()
        .values_list("consultant")
        .annotate(
            overdue=Sum("count", filter=Q(kind__in=overdue)),
            stalled=Sum("count", filter=Q(kind__in=stalled)),
        )
    )
    return {
        consultant: (overdue or 0, stalled or 0)
        for consultant, overdue, stalled in rows
        if overdue or stalled
    }
