from django.core.management.base import BaseCommand
from django.db import transaction

from clients.models import Client
from provisions.models import Provision
from trajectories.models import (
    BlockerCount,
    Case,
    CaseCount,
    FlowCount,
    MoveCount,
    Placement,
    move_tallies,
)


class Command(BaseCommand):
    help = (
        "Derive the stored state of every case, the counts of the cases and every provision's "
        "counts anew from the records of the cycle; opens a case for a resident who has none."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            missing = Client.objects.filter(case__isnull=True).values_list("pk", flat=True)
            Case.objects.bulk_create((Case(client_id=pk) for pk in missing), batch_size=5000)
            Placement.objects.recount(*Provision.objects.values_list("pk", flat=True))
            cases = Case.objects.all().rebuild()
            case_tally, flow_tally = Case.objects.tallies()
            CaseCount.objects.recount(case_tally)
            FlowCount.objects.recount(flow_tally)
            move_tally, blocker_tally = move_tallies(
                Case.objects.values_list("municipality", "moves").iterator(chunk_size=5000)
            )
            MoveCount.objects.recount(move_tally)
            BlockerCount.objects.recount(blocker_tally)
        self.stdout.write(self.style.SUCCESS(f"{cases} cases rebuilt."))
