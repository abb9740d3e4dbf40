import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trajectories import exports
from trajectories.models import BulkExport

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Append one block of a bulk export's case summaries to its ZIP and print the pk of the "
        "last resident written (nothing when the selection is done). Run by the export task, "
        "one process per block, so that the renderer's memory goes when the block ends."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", type=int)
        parser.add_argument("zip", type=Path)
        parser.add_argument("--attempt", type=int, required=True)
        parser.add_argument("--after", type=int, default=0)
        parser.add_argument("--up-to", type=int, required=True)
        parser.add_argument("--size", type=int, default=exports.BLOCK_SIZE)

    def handle(self, *args, **options):
        try:
            export = BulkExport.objects.select_related("requested_by").get(pk=options["export"])
            last = exports.write_block(
                export,
                options["attempt"],
                options["zip"],
                options["after"],
                options["up_to"],
                options["size"],
            )
        except Exception as error:
            logger.exception("A block of bulk export %s failed", options["export"])
            # On the last line of stderr, in one line, for the export's page.
            raise CommandError(repr(error)) from error
        self.stdout.write("" if last is None else str(last))
