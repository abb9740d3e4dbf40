from django.core.management.base import BaseCommand

from fermwerk.demo.residents import DEFAULT_SEED
from fermwerk.demo.seed import seed as load


class Command(BaseCommand):
    help = (
        "Load the Ferm Werk demo region; safe to run again. --residents N tops residents up to N."
    )

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, default=200, help="residents in total")
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="the same seed and number of residents give the same region",
        )

    def handle(self, *args, residents, seed, **options):
        load(residents=residents, seed=seed, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
