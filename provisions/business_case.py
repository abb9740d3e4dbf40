"""The business case: what each option for a resident costs per year, per funder, and what
it leaves of the benefit, read from the tariffs in force on one day.

Per resident per year, with W the minimum wage, v the wage value (loonwaarde) and B the
benefit (twelve months of the bijstandsnorm):
- a job (garantiebaan, beschut werk) pays at least the minimum wage, so the benefit ends; the
  municipality pays loonkostensubsidie, W x (100% - v) but at most the cap (70%) of W, plus the
  allowance for employer costs on it (23%); the employer pays the rest of the wage;
- beschut werk adds supervision and organisation per place, of which the national government
  carries its contribution per place;
- day activities (Wmo: the municipality; Wlz: the zorgkantoor) cost the tariff per day part x
  day parts a week x ATTENDANCE_WEEKS, and supported volunteering its guidance; with either
  the benefit is still paid.
The net cost to the municipality is what its Participatiewet and Wmo budgets pay plus the
benefit it still pays. The tariffs of the chosen day count for every year of the horizon."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import TariffKind

# Weeks a year a resident attends day activities: holidays and closures take the other six
# (the assumption of docs/tariffs.md).
ATTENDANCE_WEEKS = 46
MONTHS = 12
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class Option(models.TextChoices):
    WMO_DAY_ACTIVITIES = "wmo", _("Wmo day activities")
    WLZ_DAY_ACTIVITIES = "wlz", _("Wlz day activities")
    VOLUNTEERING = "volunteering", _("Volunteering with a benefit")
    BESCHUT_WERK = "beschut", _("Beschut werk")
    GARANTIEBAAN = "garantiebaan", _("Garantiebaan with loonkostensubsidie")


class Funder(models.TextChoices):
    PARTICIPATIEWET = "participatiewet", _("Municipality: Participatiewet budget")
    WMO = "wmo", _("Municipality: Wmo budget")
    ZORGKANTOOR = "zorgkantoor", _("Zorgkantoor (Wlz)")
    NATIONAL = "national", _("National government (contribution)")
    EMPLOYER = "employer", _("Employer: wage above the subsidy")


# The municipality's own budgets: with the benefit it still pays, its net cost.
MUNICIPAL_FUNDERS = (Funder.PARTICIPATIEWET, Funder.WMO)


class Intensity(models.TextChoices):
    LIGHT = "light", _("light")
    MIDDLE = "middle", _("middle")
    INTENSIVE = "intensive", _("intensive")


DAY_PART_TARIFFS = {
    Option.WMO_DAY_ACTIVITIES: {
        Intensity.LIGHT: TariffKind.WMO_LIGHT,
        Intensity.MIDDLE: TariffKind.WMO_MIDDLE,
        Intensity.INTENSIVE: TariffKind.WMO_INTENSIVE,
    },
    Option.WLZ_DAY_ACTIVITIES: {
        Intensity.LIGHT: TariffKind.WLZ_LIGHT,
        Intensity.MIDDLE: TariffKind.WLZ_MIDDLE,
        Intensity.INTENSIVE: TariffKind.WLZ_INTENSIVE,
    },
}
WAGE_KINDS = (TariffKind.MINIMUM_WAGE, TariffKind.WAGE_SUBSIDY_CAP, TariffKind.EMPLOYER_COSTS)


def cents(amount):
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Assumptions:
    """What the comparison assumes of the resident (or of each resident of a group)."""

    intensity: str = Intensity.MIDDLE
    day_parts_per_week: int = 4
    wage_value_percent: Decimal = Decimal(50)


@dataclass
class OptionCost:
    """One option per resident per year: {funder: amount}, the benefit still paid and saved;
    or, when a tariff it needs has no figure on the day, the kinds missing."""

    option: str
    costs: dict = field(default_factory=dict)
    benefit_paid: Decimal = Decimal(0)
    benefit_saved: Decimal = Decimal(0)
    missing: list = field(default_factory=list)

    @property
    def label(self):
        return Option(self.option).label

    @property
    def computed(self):
        return not self.missing

    @property
    def missing_labels(self):
        return [TariffKind(kind).label for kind in self.missing]

    @property
    def municipality_net(self):
        """What the municipality pays from its budgets, plus the benefit it still pays."""
        return sum((self.costs.get(f, Decimal(0)) for f in MUNICIPAL_FUNDERS), Decimal(0)) + (
            self.benefit_paid
        )

    @property
    def total(self):
        """What every funder together pays, the benefit included."""
        return sum(self.costs.values(), Decimal(0)) + self.benefit_paid


def option_cost(option, figures, assumptions):
    """The OptionCost of one option per resident per year; `figures` is {kind: value} of the
    tariffs in force (amounts in euros, shares in percent)."""
    needed = needed_kinds(option, assumptions)
    # A figure stored in the wrong field (possible through the admin) counts as missing.
    missing = [kind for kind in needed if figures.get(kind) is None]
    if missing:
        return OptionCost(option, missing=missing)
    benefit = figures[TariffKind.BENEFIT] * MONTHS
    if option in DAY_PART_TARIFFS:
        tariff = figures[DAY_PART_TARIFFS[option][assumptions.intensity]]
        per_year = cents(tariff * assumptions.day_parts_per_week * ATTENDANCE_WEEKS)
        funder = Funder.WMO if option == Option.WMO_DAY_ACTIVITIES else Funder.ZORGKANTOOR
        return OptionCost(option, {funder: per_year}, benefit_paid=cents(benefit))
    if option == Option.VOLUNTEERING:
        guidance = cents(figures[TariffKind.VOLUNTEER_GUIDANCE])
        return OptionCost(option, {Funder.PARTICIPATIEWET: guidance}, benefit_paid=cents(benefit))
    # A job at the minimum wage: the benefit ends.
    wage = figures[TariffKind.MINIMUM_WAGE]
    share = min(HUNDRED - assumptions.wage_value_percent, figures[TariffKind.WAGE_SUBSIDY_CAP])
    subsidy = cents(wage * share / HUNDRED)
    allowance = cents(subsidy * figures[TariffKind.EMPLOYER_COSTS] / HUNDRED)
    costs = {Funder.PARTICIPATIEWET: subsidy + allowance, Funder.EMPLOYER: cents(wage) - subsidy}
    if option == Option.BESCHUT_WERK:
        national = cents(figures[TariffKind.BESCHUT_NATIONAL])
        costs[Funder.PARTICIPATIEWET] += (
            cents(figures[TariffKind.BESCHUT_SUPERVISION])
            + cents(figures[TariffKind.BESCHUT_ORGANISATION])
            - national
        )
        costs[Funder.NATIONAL] = national
    return OptionCost(option, costs, benefit_saved=cents(benefit))


def needed_kinds(option, assumptions):
    """The tariff kinds an option's cost is computed from."""
    if option in DAY_PART_TARIFFS:
        return [DAY_PART_TARIFFS[option][assumptions.intensity], TariffKind.BENEFIT]
    if option == Option.VOLUNTEERING:
        return [TariffKind.VOLUNTEER_GUIDANCE, TariffKind.BENEFIT]
    if option == Option.BESCHUT_WERK:
        beschut = [
            TariffKind.BESCHUT_SUPERVISION,
            TariffKind.BESCHUT_ORGANISATION,
            TariffKind.BESCHUT_NATIONAL,
        ]
        return [*WAGE_KINDS, *beschut, TariffKind.BENEFIT]
    return [*WAGE_KINDS, TariffKind.BENEFIT]


@dataclass
class Comparison:
    """The options side by side for `residents` residents over `years` years, against a
    baseline option; the tariffs used are kept to show with their sources."""

    options: list
    baseline: str
    residents: int
    years: int
    tariffs: list

    @property
    def baseline_cost(self):
        return next(cost for cost in self.options if cost.option == self.baseline)

    def difference(self, cost):
        """The option's net cost to the municipality per resident per year, less the
        baseline's; None when either could not be computed."""
        base = self.baseline_cost
        if not (cost.computed and base.computed):
            return None
        return cost.municipality_net - base.municipality_net

    def over_horizon(self, amount):
        """An amount per resident per year, for every resident over the whole horizon."""
        return None if amount is None else amount * self.residents * self.years

    def rows(self):
        """The table per resident per year: (label, [amount or None per option], emphasis)."""
        rows = [
            (funder.label, [cost.costs.get(funder, Decimal(0)) for cost in self.options], False)
            for funder in Funder
        ]
        rows.append((_("Benefit still paid by the municipality"), self.each("benefit_paid"), False))
        rows.append((_("All funders together"), self.each("total"), True))
        rows.append((_("Benefit saved"), self.each("benefit_saved"), False))
        rows.append((_("Net cost to the municipality"), self.each("municipality_net"), True))
        rows.append((_("Difference with the baseline"), self.differences(), True))
        return [(label, self.blank_missing(values), strong) for label, values, strong in rows]

    def horizon_rows(self):
        """The totals for every resident over the horizon."""
        return [
            (
                _("All funders together"),
                self.blank_missing([self.over_horizon(c.total) for c in self.options]),
            ),
            (
                _("Net cost to the municipality"),
                self.blank_missing([self.over_horizon(c.municipality_net) for c in self.options]),
            ),
            (
                _("Difference with the baseline"),
                [self.over_horizon(amount) for amount in self.differences()],
            ),
        ]

    def each(self, attribute):
        return [getattr(cost, attribute) for cost in self.options]

    def differences(self):
        return [self.difference(cost) for cost in self.options]

    def blank_missing(self, values):
        return [
            value if cost.computed else None
            for cost, value in zip(self.options, values, strict=True)
        ]


def compare(tariffs, assumptions, baseline, residents=1, years=1):
    """Every option side by side from these tariffs ({kind: Tariff}, those in force on the
    chosen day)."""
    figures = {kind: tariff.value for kind, tariff in tariffs.items()}
    options = [option_cost(option, figures, assumptions) for option in Option]
    used = {kind for option in Option for kind in needed_kinds(option, assumptions)}
    shown = [tariffs[kind] for kind in TariffKind if kind in used and kind in tariffs]
    return Comparison(options, baseline, residents, years, shown)
