"""The demo's work-learning lines: the partners of each step, and how fast the residents placed
in a provision of a line reach its steps."""

from datetime import timedelta

from provisions.models import WorkLearningStep

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
# Days between two steps reached, in the demo; a resident placed in a line reaches one to
# three of its steps (see residents.py).
STEP_INTERVAL = timedelta(days=75)


def ensure_line_partners(organisations):
    for step in WorkLearningStep.objects.select_related("line"):
        names = STEP_PARTNERS.get(step.line.name, {}).get(step.position, [])
        if names and not step.partners.exists():
            step.partners.set([organisations[name] for name in names])
