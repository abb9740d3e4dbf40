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
from concurrent.futures import ProcessPoolExecutor

from django.db import connections
from django.db.models import F
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


@task
def build(export_id):
    prune_expired()
    export = BulkExport.objects.get(pk=export_id)
    exports = BulkExport.objects.filter(pk=export_id)
    exports.update(
        status=BulkExport.Status.RUNNING, total=export.residents().count(), done=0, error=""
    )
    path = export.file_path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.unlink(missing_ok=True)
    try:
        after = 0
        while after is not None:
            after = in_child_process(write_block, export_id, partial, after)
    except Exception as error:
        partial.unlink(missing_ok=True)
        exports.update(
            status=BulkExport.Status.FAILED, error=repr(error)[:500], finished_at=timezone.now()
        )
        logger.exception("Bulk export %s failed", export_id)
        raise
    partial.replace(path)
    exports.update(status=BulkExport.Status.DONE, finished_at=timezone.now())


def in_child_process(function, *args):
    """What `function(*args)` returns, run in a forked child process that exits after it; its
    exceptions are raised here."""
    # Loaded before the fork, so that no child spends a second importing it.
    load_renderer()
    # The child must not share the parent's database connections; each opens its own.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


def write_block(export_id, partial, after):
    """Append the summaries of the next BLOCK_SIZE residents with a pk above `after` to the
    ZIP at `partial`; the pk of the last one written, or None when no resident is left."""
    try:
        export = BulkExport.objects.select_related("requested_by").get(pk=export_id)
        residents = (
            export.residents()
            .filter(pk__gt=after)
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
