from django.core.management.base import BaseCommand

from fermwerk.demo.seed import seed


class Command(BaseCommand):
    help = (
        "Load the Ferm Werk demo region; safe to run again. --residents N tops residents up to N."
    )

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, default=200, help="residents in total")

    def handle(self, *args, residents, **options):
        seed(residents=residents, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
