"""The demo's work-learning lines: the partners of each step, and the progress of the
residents placed in a provision of a line."""

from datetime import date, timedelta

from provisions.models import WorkLearningStep
from trajectories.models import Placement, StepReached

# Per line, per step position: the demo organisations that carry the step.
STEP_PARTNERS = {
    "Horeca": {
        1: ["Ferm Werk"],
        2: ["Abrona", "Ferm Werk"],
        3: ["MBO College Groene Hart (fictief)"],
        4: ["Bakkerij Korstmos (fictief)"],
        5: ["Bakkerij Korstmos (fictief)"],
    },
    "Schoonmaak": {
        1: ["Ferm Werk"],
        2: ["Ferm Werk"],
        3: ["MBO College Groene Hart (fictief)"],
        4: ["Schoonmaakbedrijf Glimlach (fictief)"],
        5: ["Schoonmaakbedrijf Glimlach (fictief)"],
    },
}
# Days between two steps reached, in the demo.
STEP_INTERVAL = timedelta(days=75)


def ensure_line_partners(organisations):
    for step in WorkLearningStep.objects.select_related("line"):
        names = STEP_PARTNERS.get(step.line.name, {}).get(step.position, [])
        if names and not step.partners.exists():
            step.partners.set([organisations[name] for name in names])


def ensure_steps_reached():
    """Residents placed in a provision of a line reached its first steps, one every
    STEP_INTERVAL from the start of the placement; safe to repeat."""
    steps = {}
    for step in WorkLearningStep.objects.order_by("position"):
        steps.setdefault(step.line_id, []).append(step)
    placements = (
        Placement.objects.filter(
            provision__work_learning_line__isnull=False, start_on__isnull=False
        )
        .exclude(client__steps_reached__isnull=False)
        .values_list("client_id", "start_on", "provision__work_learning_line")
    )
    today = date.today()
    reached = []
    for client_id, start_on, line_id in placements.iterator():
        for number, step in enumerate(steps.get(line_id, [])[: 1 + client_id % 3]):
            reached_on = start_on + number * STEP_INTERVAL
            if reached_on > today:
                break
            reached.append(StepReached(client_id=client_id, step=step, reached_on=reached_on))
    StepReached.objects.bulk_create(reached, batch_size=5000, ignore_conflicts=True)
