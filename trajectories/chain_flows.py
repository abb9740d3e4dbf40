"""Where residents move along the participation chain over a period: the moves between chain
steps (and into and out of the chain), inflow and outflow per step, outflow to paid work, the
median time spent in a step and the blockers that held moves up. Every figure sums a few
stored counts (MoveCount, BlockerCount: kept by every rebuild of a case), whatever the number
of residents."""

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Exists, OuterRef, Q, Sum
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from provisions.models import ChainStep

from .models import Blocker, BlockerCount, MoveCount, MoveOutcome, Placement, Transition
from .sankey import sankey

# The ends of a move outside the chain, beside the chain steps' primary keys.
CAME_IN = "in"
LEFT = {MoveOutcome.PAID_WORK: "paid", MoveOutcome.OTHERWISE: "other"}
# Paid work is also the chain's last step: the end says the resident left the chain for it.
END_LABELS = {
    CAME_IN: _("Came in"),
    "paid": _("Left for paid work"),
    "other": _("Left otherwise"),
}


@dataclass
class StepFlow:
    step: ChainStep
    inflow: int = 0
    outflow: int = 0
    to_paid_work: int = 0
    median_months: int | None = None


class ChainFlows:
    """The flows of one period (whole months from `start` to `end`) for the municipalities the
    user may see, or the one chosen among them."""

    def __init__(self, user, start, end, municipality=None):
        self.user, self.start, self.end, self.municipality = user, start, end, municipality

    def counts(self, model):
        counts = model.objects.filter(month__range=(self.start.replace(day=1), self.end))
        if self.municipality:
            return counts.filter(municipality=self.municipality)
        return counts.filter(municipality__in=Client.objects.municipalities_visible_to(self.user))

    @cached_property
    def steps(self):
        return list(ChainStep.objects.all())

    @cached_property
    def moves(self):
        """{(from, to): residents}, from a step's pk or CAME_IN to a step's pk or a LEFT end;
        and {step pk: {whole months: residents}} of those who left the step."""
        rows = (
            self.counts(MoveCount)
            .order_by()
            .values_list("from_step", "to_step", "outcome", "months")
            .annotate(n=Sum("count"))
        )
        moves, months_in_step = defaultdict(int), defaultdict(lambda: defaultdict(int))
        for from_step, to_step, outcome, months, n in rows:
            if not n:
                continue
            target = to_step if outcome == MoveOutcome.STEP else LEFT[outcome]
            moves[(from_step or CAME_IN, target)] += n
            if from_step is not None and months is not None:
                months_in_step[from_step][months] += n
        return dict(moves), months_in_step

    def sources(self):
        return [(CAME_IN, END_LABELS[CAME_IN]), *((step.pk, step.name) for step in self.steps)]

    def targets(self):
        return [
            *((step.pk, step.name) for step in self.steps),
            *((end, END_LABELS[end]) for end in LEFT.values()),
        ]

    def sankey(self):
        return sankey(self.sources(), self.targets(), self.moves[0])

    def matrix(self):
        """Rows of (source key, label, [(target key, residents)], row total), and the column
        totals, for the from-to table."""
        moves = self.moves[0]
        targets = [key for key, _label in self.targets()]
        rows = []
        for key, label in self.sources():
            cells = [(target, moves.get((key, target), 0)) for target in targets]
            rows.append((key, label, cells, sum(n for _target, n in cells)))
        totals = [
            sum(moves.get((key, target), 0) for key, _l in self.sources()) for target in targets
        ]
        return rows, totals, sum(totals)

    def per_step(self):
        """A StepFlow per chain step: residents who came into it (from outside or another
        step) and left it, left it for paid work, and the median whole months spent in it by
        those who left it in the period."""
        moves, months_in_step = self.moves
        flows = {step.pk: StepFlow(step) for step in self.steps}
        for (source, target), n in moves.items():
            if target in flows:
                flows[target].inflow += n
            if source in flows:
                flows[source].outflow += n
                if target == LEFT[MoveOutcome.PAID_WORK]:
                    flows[source].to_paid_work += n
        for step, histogram in months_in_step.items():
            if step in flows:
                flows[step].median_months = median_of(histogram)
        return list(flows.values())

    def blockers(self):
        """[(blocker, times it held a move up)], most often first."""
        rows = (
            self.counts(BlockerCount)
            .order_by()
            .values_list("blocker")
            .annotate(n=Sum("count"))
            .filter(n__gt=0)
            .order_by("-n", "blocker")
        )
        counted = dict(rows)
        names = Blocker.objects.in_bulk(counted)
        return [(names[pk], n) for pk, n in counted.items()]

    def to_paid_work(self):
        return sum(n for (_s, target), n in self.moves[0].items() if target == "paid")


def median_of(histogram):
    """The low median of values counted as {value: how often}."""
    total = sum(histogram.values())
    if not total:
        return None
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen * 2 >= total:
            return value
    return None


def placements_behind(start, end, source=None, target=None, blocker=None):
    """The placements behind a figure of the period, as a queryset: for a move into a step
    the placement started (from `source`: CAME_IN or a step's pk), for a move out of the chain
    the placement ended (`target` a LEFT end), for a step's inflow (`target` only) every start
    in it, for all who came in (CAME_IN only) every start without a transition, for a step's
    outflow (`source` only) every placement left, for a blocker the placements moved into past
    it. Narrowed by the caller to the residents the user may see."""
    period = (start.replace(day=1), end)
    started = Placement.objects.filter(start_on__range=period)
    if blocker is not None:
        return started.filter(transition_in__blockers=blocker)
    # NOT EXISTS rather than a left join's IS NULL: the planner then estimates how many
    # remain, and walks the start date's index for a page instead of sorting the period.
    left_chain = Placement.objects.filter(
        ~Exists(Transition.objects.filter(from_placement=OuterRef("pk"))),
        status=Placement.Status.ENDED,
        end_on__range=period,
    )
    if target in LEFT.values():
        paid = Q(end_reason=Placement.EndReason.PAID_WORK)
        left = left_chain.filter(paid if target == "paid" else ~paid)
        return left.filter(provision__chain_step=source) if source is not None else left
    if source == CAME_IN:
        came_in = started.filter(~Exists(Transition.objects.filter(to_placement=OuterRef("pk"))))
        return came_in.filter(provision__chain_step=target) if target is not None else came_in
    if target is not None:
        moved_in = started.filter(provision__chain_step=target)
        if source is not None:
            return moved_in.filter(transition_in__from_placement__provision__chain_step=source)
        return moved_in
    # A step's outflow: left for the next step (moved in the period) or out of the chain.
    moved_on = Placement.objects.filter(transition_out__to_placement__start_on__range=period)
    return (moved_on | left_chain).filter(provision__chain_step=source)
