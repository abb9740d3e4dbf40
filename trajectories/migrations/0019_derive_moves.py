from collections import Counter, defaultdict

from django.db import migrations


def whole_months(start, end):
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def derive_and_count(apps, schema_editor):
    """Every case's moves along the chain and their counts, as trajectories.models.moves_of
    and move_tallies give them (the models' code cannot run in a migration)."""
    Case = apps.get_model("trajectories", "Case")
    Placement = apps.get_model("trajectories", "Placement")
    Transition = apps.get_model("trajectories", "Transition")
    MoveCount = apps.get_model("trajectories", "MoveCount")
    BlockerCount = apps.get_model("trajectories", "BlockerCount")
    blockers = defaultdict(list)
    for transition, blocker in Transition.blockers.through.objects.order_by("blocker").values_list(
        "transition", "blocker"
    ):
        blockers[transition].append(blocker)
    moves = defaultdict(list)
    for row in (
        Placement.objects.filter(start_on__isnull=False)
        .order_by("client", "start_on", "pk")
        .values(
            "client",
            "provision__chain_step",
            "start_on",
            "status",
            "end_on",
            "end_reason",
            "transition_in",
            "transition_in__from_placement__provision__chain_step",
            "transition_in__from_placement__start_on",
            "transition_out",
        )
        .iterator(chunk_size=5000)
    ):
        step, start_on = row["provision__chain_step"], row["start_on"]
        month = start_on.replace(day=1).isoformat()
        if row["transition_in"]:
            moves[row["client"]].append(
                [
                    month,
                    row["transition_in__from_placement__provision__chain_step"],
                    step,
                    "step",
                    whole_months(row["transition_in__from_placement__start_on"], start_on),
                    blockers[row["transition_in"]],
                ]
            )
        else:
            moves[row["client"]].append([month, None, step, "step", None, []])
        if row["status"] == "ended" and not row["transition_out"]:
            outcome = "paid_work" if row["end_reason"] == "paid_work" else "otherwise"
            moves[row["client"]].append(
                [
                    row["end_on"].replace(day=1).isoformat(),
                    step,
                    None,
                    outcome,
                    whole_months(start_on, row["end_on"]),
                    [],
                ]
            )
    cases = Case.objects.filter(pk__in=list(moves)).only("pk")
    for case in cases:
        case.moves = moves[case.pk]
    Case.objects.bulk_update(cases, ["moves"], batch_size=1000)
    move_tally, blocker_tally = Counter(), Counter()
    for municipality, case_moves in Case.objects.filter(
        municipality__isnull=False, pk__in=list(moves)
    ).values_list("municipality", "moves"):
        for month, from_step, to_step, outcome, months, blocker_pks in case_moves:
            move_tally[(municipality, month, from_step, to_step, outcome, months)] += 1
            for blocker in blocker_pks:
                blocker_tally[(municipality, month, from_step, to_step, blocker)] += 1
    MoveCount.objects.bulk_create(
        (
            MoveCount(
                municipality_id=municipality,
                month=month,
                from_step_id=from_step,
                to_step_id=to_step,
                outcome=outcome,
                months=months,
                count=n,
            )
            for (municipality, month, from_step, to_step, outcome, months), n in move_tally.items()
        ),
        batch_size=5000,
    )
    BlockerCount.objects.bulk_create(
        (
            BlockerCount(
                municipality_id=municipality,
                month=month,
                from_step_id=from_step,
                to_step_id=to_step,
                blocker_id=blocker,
                count=n,
            )
            for (municipality, month, from_step, to_step, blocker), n in blocker_tally.items()
        ),
        batch_size=5000,
    )


class Migration(migrations.Migration):
    # Apart from the schema change: PostgreSQL builds no index on a table with rows written
    # in the same transaction.
    dependencies = [("trajectories", "0018_chain_moves")]

    operations = [migrations.RunPython(derive_and_count, migrations.RunPython.noop)]
