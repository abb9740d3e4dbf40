"""The managers' dashboard: where residents stand and how they moved over a period, read from
the counts every change keeps (CaseCount, FlowCount) and the stored case state; each figure a
table of rows that the page draws as an SVG chart, lists as a table and offers as CSV."""

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clients.models import Client
from partners.models import Municipality, User
from provisions.models import ChainStep, Provision

from . import flows
from .models import CaseCount, Category, FlowCount, LadderRung, Stage

# Colours of the series, told apart by people with the common colour-vision deficiencies.
SERIES_COLOURS = ["#1f5fa8", "#d8731c", "#3f8f3a"]
# The chart's geometry in SVG units: labels on the left, bars on the right, values after them.
CHART_WIDTH = 560
LABEL_WIDTH = 210
BAR_AREA = 300
BAR_HEIGHT = 17
ROW_GAP = 10
LEGEND_LINE = 20
LABEL_CHARACTERS = 27
# Columns (one group per month): the height of the plot and the room for the month below it.
PLOT_HEIGHT = 200
AXIS_WIDTH = 40
MONTH_LABEL_HEIGHT = 40


@dataclass
class Figure:
    """One figure: rows of a label and a value per series."""

    key: str
    title: str
    label_header: str
    series: list
    rows: list = field(default_factory=list)
    note: str = ""
    # Short labels under columns, one per row: a figure with them is drawn as columns.
    column_labels: list = field(default_factory=list)

    @property
    def as_columns(self):
        return bool(self.column_labels)

    def chart(self):
        """The bars laid out in SVG units: rows of (label, short label, y, bars), the legend
        and the height."""
        largest = max((max(values) for _label, values in self.rows), default=0) or 1
        row_height = BAR_HEIGHT * len(self.series) + ROW_GAP
        legend = self.legend()
        top = (legend[-1]["y"] + LEGEND_LINE + 6) if len(legend) > 1 else 0
        rows = []
        for index, (label, values) in enumerate(self.rows):
            y = top + index * row_height
            bars = [
                {
                    "y": y + n * BAR_HEIGHT,
                    "width": round(BAR_AREA * value / largest, 1),
                    "value": value,
                    "value_x": LABEL_WIDTH + round(BAR_AREA * value / largest, 1) + 4,
                    "text_y": y + n * BAR_HEIGHT + BAR_HEIGHT - 5,
                    "colour": SERIES_COLOURS[n],
                    "series": self.series[n],
                }
                for n, value in enumerate(values)
            ]
            label = str(label)
            short = label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"
            rows.append(
                {"label": label, "short": short, "text_y": y + row_height / 2, "bars": bars}
            )
        return {
            "width": CHART_WIDTH,
            "height": top + max(len(self.rows), 1) * row_height,
            "label_x": LABEL_WIDTH - 6,
            "bar_x": LABEL_WIDTH,
            "rows": rows,
            "legend": legend if len(legend) > 1 else [],
        }

    def columns(self):
        """The columns laid out in SVG units: a group per row, left to right, with a scale of
        three gridlines, the short labels below and the legend above."""
        largest = max((max(values) for _label, values in self.rows), default=0) or 1
        legend = self.legend()
        top = legend[-1]["y"] + LEGEND_LINE + 8
        bottom = top + PLOT_HEIGHT
        group = (CHART_WIDTH - AXIS_WIDTH) / max(len(self.rows), 1)
        width = max(group * 0.8 / len(self.series), 1)
        # Every label while they fit, else every second, third... of them.
        every = max(1, round(len(self.rows) * 34 / (CHART_WIDTH - AXIS_WIDTH) + 0.49))
        groups = []
        for index, ((label, values), short) in enumerate(
            zip(self.rows, self.column_labels, strict=True)
        ):
            x = AXIS_WIDTH + index * group + group * 0.1
            bars = []
            for n, value in enumerate(values):
                height = round(PLOT_HEIGHT * value / largest, 1)
                bars.append(
                    {
                        "x": round(x + n * width, 1),
                        "y": round(bottom - height, 1),
                        "width": round(width, 1),
                        "height": height,
                        "value": value,
                        "colour": SERIES_COLOURS[n],
                        "series": self.series[n],
                    }
                )
            groups.append(
                {
                    "label": label,
                    "short": short if index % every == 0 else "",
                    "label_x": round(x + group * 0.4, 1),
                    "bars": bars,
                }
            )
        grid = [
            {"y": round(bottom - PLOT_HEIGHT * part, 1), "value": round(largest * part)}
            for part in (0, 0.5, 1)
        ]
        return {
            "width": CHART_WIDTH,
            "height": bottom + MONTH_LABEL_HEIGHT,
            "axis_x": AXIS_WIDTH,
            "label_y": bottom + 16,
            "groups": groups,
            "grid": grid,
            "legend": legend,
        }

    def legend(self):
        """The series' names and colours, on as many lines as they need."""
        legend = []
        x = y = 0
        for n, name in enumerate(self.series):
            # Roughly the width of the name at the chart's type size, plus the swatch.
            width = round(len(str(name)) * 7) + 30
            if x and x + width > CHART_WIDTH:
                x, y = 0, y + LEGEND_LINE
            legend.append({"name": name, "colour": SERIES_COLOURS[n], "x": x, "y": y})
            x += width
        return legend


class Dashboard:
    """The figures for what one user may see, narrowed by the manager's filters."""

    KEYS = [
        "stage",
        "category",
        "rung",
        "municipality",
        "chain_step",
        "flow",
        "ladder",
        "long_term",
        "attention",
        "provisions",
    ]

    def __init__(self, user, start, end, municipality=None, consultant=None, chain_step=None):
        self.start, self.end = start, end
        # The day the figures of the moment (long-term dependency, attention) stand on.
        self.today = date.today()
        self.municipality, self.consultant, self.chain_step = municipality, consultant, chain_step
        visible = Client.objects.municipalities_visible_to(user)
        narrow = {}
        if municipality:
            narrow["municipality"] = municipality
        if consultant:
            narrow["consultant"] = consultant
        if chain_step:
            narrow["chain_step"] = chain_step
        self.counts = CaseCount.objects.filter(municipality__in=visible, **narrow)
        self.flows = FlowCount.objects.filter(municipality__in=visible, **narrow)
        # The provisions of the municipalities the user sees and the region-wide ones.
        provisions = Provision.objects.filter(
            Q(municipality__in=visible) | Q(municipality__isnull=True)
        )
        if municipality:
            provisions = provisions.serving(municipality.pk)
        if chain_step:
            provisions = provisions.filter(chain_step=chain_step)
        self.provisions = provisions

    def figures(self):
        return [self.figure(key) for key in self.KEYS]

    @property
    def chain_step_note(self):
        """What narrowing to a chain step means for the flows, which are counted by where
        residents stand today."""
        if self.chain_step:
            return _(
                "Narrowed to a chain step, every figure counts the residents placed there "
                "today: residents who left have no placement, so they are not counted."
            )
        return ""

    def figure(self, key):
        return getattr(self, f"by_{key}")()

    @cached_property
    def tally(self):
        return self.counts.tally()

    def summed(self, dimension):
        """{value of one dimension: cases}, from the stored counts."""
        sums = {}
        for key, count in self.tally.items():
            value = getattr(key, dimension)
            sums[value] = sums.get(value, 0) + count
        return sums

    def by_stage(self):
        sums = self.summed("stage")
        return Figure(
            "stage",
            _("Residents by stage of the cycle"),
            _("Stage"),
            [_("Residents")],
            [(stage.label, [sums.get(stage.value, 0)]) for stage in Stage],
        )

    def by_category(self):
        sums = self.summed("category")
        rows = [(category, [sums.get(category.pk, 0)]) for category in Category.objects.all()]
        rows.append((_("No diagnosis yet"), [sums.get(None, 0)]))
        return Figure("category", _("Residents by category"), _("Category"), [_("Residents")], rows)

    def by_rung(self):
        sums = self.summed("rung")
        rows = [(rung, [sums.get(rung.pk, 0)]) for rung in LadderRung.objects.all()]
        rows.append((_("Not assessed yet"), [sums.get(None, 0)]))
        return Figure(
            "rung", _("Residents by participation-ladder rung"), _("Rung"), [_("Residents")], rows
        )

    def by_municipality(self):
        sums = self.summed("municipality")
        rows = [
            (municipality.name, [sums[municipality.pk]])
            for municipality in Municipality.objects.filter(pk__in=sums).order_by("name")
        ]
        return Figure(
            "municipality",
            _("Residents by municipality"),
            _("Municipality"),
            [_("Residents")],
            rows,
        )

    def by_chain_step(self):
        sums = self.summed("chain_step")
        rows = [(step, [sums.get(step.pk, 0)]) for step in ChainStep.objects.all()]
        rows.append((_("No active placement"), [sums.get(None, 0)]))
        return Figure(
            "chain_step",
            _("Residents by step of the participation chain"),
            _("Chain step"),
            [_("Residents")],
            rows,
            _("The step of the placement that started last among the active ones."),
        )

    def by_flow(self):
        inflow = flows.inflow(self.flows, self.start, self.end)
        outflow = flows.outflow(self.flows, self.start, self.end)
        months = flows.months(self.start, self.end)
        rows = [
            (date_format(month, "YEAR_MONTH_FORMAT"), [inflow[month], *outflow[month]])
            for month in months
        ]
        return Figure(
            "flow",
            _("Inflow and outflow per month"),
            _("Month"),
            [_("Came in"), _("Left for paid work"), _("Left otherwise")],
            rows,
            _("Came in: the first intake. Left: the file was closed, with its reason."),
            column_labels=[date_format(month, "b y") for month in months],
        )

    def by_ladder(self):
        moved = flows.ladder_movement(self.flows, self.start, self.end)
        rows = []
        for rungs in sorted(moved, reverse=True):
            if rungs > 0:
                label = ngettext("%(n)d rung up", "%(n)d rungs up", rungs) % {"n": rungs}
            elif rungs < 0:
                label = ngettext("%(n)d rung down", "%(n)d rungs down", -rungs) % {"n": -rungs}
            else:
                label = _("On the same rung")
            rows.append((label, [moved[rungs]]))
        return Figure(
            "ladder",
            _("Ladder movement between the last two assessments"),
            _("Movement"),
            [_("Residents")],
            rows,
            _(
                "Residents whose latest assessment fell in the period, by how far it found them "
                "up or down the ladder since the assessment before."
            ),
        )

    def by_long_term(self):
        long_term, entered = flows.long_term(self.flows, self.today)
        share = round(100 * long_term / entered) if entered else 0
        return Figure(
            "long_term",
            _("Long-term dependency"),
            _("Time in the cycle"),
            [_("Residents")],
            [
                (
                    ngettext(
                        "More than %(years)d year",
                        "More than %(years)d years",
                        flows.LONG_TERM_YEARS,
                    )
                    % {"years": flows.LONG_TERM_YEARS},
                    [long_term],
                ),
                (_("Shorter"), [entered - long_term]),
            ],
            _(
                "%(share)d%% of the residents with an open file today, counted by the month "
                "of their first intake."
            )
            % {"share": share},
        )

    def by_attention(self):
        counted = flows.attention(self.flows, self.today)
        people = User.objects.filter(pk__in=[pk for pk in counted if pk]).order_by(
            "first_name", "last_name", "username"
        )
        figure_rows = [
            (person.get_full_name() or person.username, [*counted[person.pk]]) for person in people
        ]
        if None in counted:
            figure_rows.append((_("No consultant"), [*counted[None]]))
        return Figure(
            "attention",
            _("Overdue re-evaluations and stalled proposals per consultant"),
            _("Consultant"),
            [_("Re-evaluations overdue"), _("Proposals stalled")],
            figure_rows,
            _("As they stand today."),
        )

    def by_provisions(self):
        rows = [
            (
                provision.name,
                [provision.occupied_places, provision.capacity_places, provision.waiting_count],
            )
            for provision in self.provisions.select_related("chain_step").order_by(
                "chain_step__position", "name"
            )
        ]
        return Figure(
            "provisions",
            _("Occupancy and waiting lists per provision"),
            _("Provision"),
            [_("Places taken"), _("Capacity (places)"), _("On the waiting list")],
            rows,
        )
