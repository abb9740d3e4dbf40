from django.core.management.base import BaseCommand
from django.db import transaction

from clients.models import Client
from provisions.models import Provision
from trajectories.models import Case, Placement, recount_cases


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
            # Counted anew below, rather than by differences.
            cases = Case.objects.all().rebuild(keep_counts=False)
            recount_cases()
        self.stdout.write(self.style.SUCCESS(f"{cases} cases rebuilt."))
