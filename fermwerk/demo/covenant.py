"""The covenant of the demo region: contact people of the main partners and their agreements.
The people are invented; the example.org addresses and 0348-0000 numbers reach nobody."""

from datetime import date

from partners.models import Agreement, Contact, ProcessStep

# Organisation: [(name, function, phone, email)]; the first is the agreement's contact person.
CONTACTS = {
    "Ferm Werk": [
        ("Marloes Demo", "Teamleider klantmanagement", "0348-000101", "m.demo@example.org"),
        ("Joost Proef", "Coördinator beschut werk", "0348-000102", "j.proef@example.org"),
    ],
    "Reinaerde": [
        ("Petra Voorbeeld", "Coördinator CAB Woerden", "0348-000201", "p.voorbeeld@example.org"),
        ("Ahmed Testman", "Begeleider dagbesteding", "0348-000202", "a.testman@example.org"),
    ],
    "Abrona": [
        (
            "Ingrid Fictief",
            "Coördinator werk-leerlijn horeca",
            "0348-000301",
            "i.fictief@example.org",
        ),
    ],
    **{
        f"Sociaal team {municipality}": [
            (
                f"Contactpunt {municipality}",
                "Coördinator sociaal team",
                "",
                "sociaalteam@example.org",
            )
        ]
        for municipality in ["Woerden", "Oudewater", "Montfoort", "Bodegraven-Reeuwijk"]
    },
}

# Organisation: (steps owned, response time for a placement proposal in days, or None).
AGREEMENTS = {
    "Ferm Werk": (
        [ProcessStep.INTAKE, ProcessStep.DIAGNOSIS, ProcessStep.PLAN, ProcessStep.REEVALUATION],
        5,
    ),
    "Reinaerde": ([ProcessStep.PLACEMENT, ProcessStep.GUIDANCE], 5),
    "Abrona": ([ProcessStep.PLACEMENT, ProcessStep.GUIDANCE], 10),
    **{
        f"Sociaal team {municipality}": ([ProcessStep.INTAKE, ProcessStep.GUIDANCE], None)
        for municipality in ["Woerden", "Oudewater", "Montfoort", "Bodegraven-Reeuwijk"]
    },
}

COVENANT_SINCE = date(2024, 1, 1)


def ensure_covenant(organisations):
    """Contact people and an agreement in force for the partners above, once."""
    for name, people in CONTACTS.items():
        organisation = organisations[name]
        contacts = [
            Contact.objects.get_or_create(
                organisation=organisation,
                name=person,
                defaults={"function": function, "phone": phone, "email": email},
            )[0]
            for person, function, phone, email in people
        ]
        steps, response_days = AGREEMENTS[name]
        Agreement.objects.get_or_create(
            organisation=organisation,
            valid_from=COVENANT_SINCE,
            defaults={"steps": steps, "response_days": response_days, "contact": contacts[0]},
        )
