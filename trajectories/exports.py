"""Bulk export: the PDF case summaries of a selection of residents as one ZIP, built by a
background task (Django's Tasks framework; `manage.py db_worker` runs it).

Memory stays bounded by construction: each block of summaries is rendered in a child process
of its own, which writes them straight into the ZIP and then exits. The renderer's native
libraries keep some memory per document they lay out (about 0.2 MB, measured), which a worker
that rendered thousands in one process would never give back. Progress is stored as it goes;
the page polls it."""

import logging
import multiprocessing
import zipfile

from django.db import connections
from django.db.models import F, Max
from django.tasks import task
from django.utils import timezone

from clients.models import AccessLog

from .models import BulkExport
from .pdf import load_renderer
from .summary import summary_pdf

logger = logging.getLogger(__name__)

# Summaries per child process: enough that starting one costs little against its block.
BLOCK_SIZE = 100


def start(export):
    """Queue the export (anew, after a failure)."""
    BulkExport.objects.filter(pk=export.pk).update(
        status=BulkExport.Status.QUEUED, done=0, error="", finished_at=None
    )
    build.enqueue(export.pk)


def prune_expired():
    """Delete the exports kept long enough, with their files."""
    for export in BulkExport.objects.expired():
        export.delete()


class BlockFailed(Exception):
    """A block's child process raised or died; the message says how."""


@task
def build(export_id):
    """Write the summaries of the export's selection into its ZIP, block by block."""
    prune_expired()
    export = BulkExport.objects.get(pk=export_id)
    exports = BulkExport.objects.filter(pk=export_id)
    residents = export.residents()
    # The selection as it stands now: residents added while it runs wait for the next export.
    up_to = residents.aggregate(last=Max("pk"))["last"] or 0
    exports.update(status=BulkExport.Status.RUNNING, total=residents.count(), done=0, error="")
    path = export.file_path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.unlink(missing_ok=True)  # left by a worker that was stopped halfway
    # Loaded once before the blocks fork, so that no child spends a second importing it.
    load_renderer()
    try:
        after = 0
        while after is not None:
            after = in_child_process(write_block, export_id, partial, after, up_to)
    except Exception as error:
        partial.unlink(missing_ok=True)
        message = str(error) if isinstance(error, BlockFailed) else repr(error)
        exports.update(
            status=BulkExport.Status.FAILED, error=message[:500], finished_at=timezone.now()
        )
        logger.exception("Bulk export %s failed", export_id)
        raise
    partial.replace(path)
    exports.update(status=BulkExport.Status.DONE, finished_at=timezone.now())


def in_child_process(function, *args):
    """What `function(*args)` returns, run in a forked child process that exits after it;
    BlockFailed when it raised or died."""
    # The child must not share the parent's database connections; each opens its own.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=answer, args=(sending, function, *args))
    child.start()
    sending.close()  # so that the pipe ends when the child does
    try:
        outcome, value = receiving.recv()
    except EOFError:
        child.join()
        raise BlockFailed(f"the block process ended with exit code {child.exitcode}") from None
    finally:
        receiving.close()
    child.join()
    if outcome == "raised":
        raise BlockFailed(value)
    return value


def answer(sending, function, *args):
    """In the child: send back what `function(*args)` returned, or the error it raised, as
    text (not every exception survives pickling); its traceback goes to the worker's log."""
    try:
        sending.send(("returned", function(*args)))
    except Exception as error:
        logger.exception("A block of a bulk export failed")
        sending.send(("raised", repr(error)))


def write_block(export_id, partial, after, up_to):
    """Append the summaries of the next BLOCK_SIZE residents with a pk above `after` (and up
    to `up_to`) to the ZIP at `partial`; the pk of the last one written, or None when no
    resident is left."""
    try:
        export = BulkExport.objects.select_related("requested_by").get(pk=export_id)
        residents = (
            export.residents()
            .filter(pk__gt=after, pk__lte=up_to)
            .select_related("municipality", "consultant")[:BLOCK_SIZE]
        )
        last, written = None, 0
        with zipfile.ZipFile(partial, "a") as archive:
            for client in residents:
                with archive.open(f"samenvatting-{client.pk}.pdf", "w", force_zip64=True) as entry:
                    summary_pdf(client, export.requested_by, target=entry, language=export.language)
                AccessLog.objects.record(
                    export.requested_by,
                    AccessLog.Action.BULK_EXPORT,
                    clients=[client],
                    detail=str(export),
                    reason=export.reason,
                )
                BulkExport.objects.filter(pk=export_id).update(done=F("done") + 1)
                last, written = client.pk, written + 1
        return last if written == BLOCK_SIZE else None
    finally:
        connections.close_all()
