"""Bulk export: the PDF case summaries of a selection of residents as one ZIP, built by a
background task (Django's Tasks framework; `manage.py db_worker` runs it).

Memory stays bounded by construction: each block of summaries is rendered by a fresh Python
process (`manage.py export_block`) that appends them to the ZIP and exits. The renderer's
native libraries keep some memory per document they lay out (about 0.2 MB, measured), which a
worker rendering thousands in one process would never give back. A fresh interpreter rather
than a fork, so that the block inherits no database connection, thread or lock of the worker.
Progress is stored as it goes; the page polls it."""

import logging
import os
import signal
import subprocess
import sys
import zipfile

from django.conf import settings
from django.db import connection
from django.db.models import F, Max
from django.tasks import task
from django.utils import timezone

from clients.models import AccessLog

from .models import BulkExport
from .summary import summary_pdf

logger = logging.getLogger(__name__)

# Summaries per block process: enough that starting one (about a second) costs little.
BLOCK_SIZE = 100


class BlockFailed(Exception):
    """A block process failed or died; the message says how."""


def start(export):
    """Queue the export (anew, after a failure or a stall) as its latest attempt: a build of
    an earlier one that is somehow still alive stops at its next summary."""
    exports = BulkExport.objects.filter(pk=export.pk)
    exports.update(
        attempt=F("attempt") + 1,
        status=BulkExport.Status.QUEUED,
        done=0,
        error="",
        progressed_at=None,
        finished_at=None,
    )
    build.enqueue(export.pk, exports.values_list("attempt", flat=True).get())


def prune_expired():
    """Delete the exports kept long enough, with their files."""
    for export in BulkExport.objects.expired():
        export.delete()


@task
def build(export_id, attempt=None):
    """Write the summaries of the export's selection into its ZIP, block by block, while
    this is the export's latest attempt (None, from a task queued before attempts were
    counted: the current one)."""
    prune_expired()
    export = BulkExport.objects.get(pk=export_id)
    attempt = export.attempt if attempt is None else attempt
    exports = BulkExport.objects.filter(pk=export_id, attempt=attempt)
    residents = export.residents()
    # The selection as it stands now: residents added while it runs wait for the next export.
    up_to = residents.aggregate(last=Max("pk"))["last"] or 0
    started = exports.update(
        status=BulkExport.Status.RUNNING,
        total=residents.count(),
        done=0,
        error="",
        progressed_at=timezone.now(),
    )
    if not started:
        return  # tried again since this was queued: the later attempt builds it
    path = export.file_path
    path.parent.mkdir(parents=True, exist_ok=True)
    export.remove_partial_files()  # left by a worker that was stopped halfway
    partial = path.with_suffix(f".{attempt}.part")
    try:
        after = 0
        while after is not None:
            after = run_block(export_id, attempt, partial, after, up_to)
        if not exports.exists():
            partial.unlink(missing_ok=True)
            return  # superseded halfway
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


def run_block(export_id, attempt, partial, after, up_to):
    """Run `manage.py export_block` for the next block; the pk of the last resident it wrote,
    or None when the selection is done. BlockFailed when the process failed or died."""
    command = [
        sys.executable,
        str(settings.BASE_DIR / "manage.py"),
        "export_block",
        str(export_id),
        str(partial),
        f"--attempt={attempt}",
        f"--after={after}",
        f"--up-to={up_to}",
        f"--size={BLOCK_SIZE}",
    ]
    # The worker's database by name: under test that is the test database.
    environment = {**os.environ, "DATABASE_NAME": str(connection.settings_dict["NAME"])}
    finished = subprocess.run(
        command, env=environment, cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    if finished.returncode:
        logger.error("A block of bulk export %s failed:\n%s", export_id, finished.stderr)
        raise BlockFailed(failure(finished))
    last = finished.stdout.split()[-1:]  # its last word: a pk, or nothing
    return int(last[0]) if last else None


def failure(finished):
    """What went wrong in a finished block process, in one line."""
    if finished.returncode < 0:
        name = signal.Signals(-finished.returncode).name
        return f"the block process was stopped by {name}"
    lines = finished.stderr.strip().splitlines()
    if lines and lines[-1].startswith("CommandError: "):
        return lines[-1].removeprefix("CommandError: ")
    return f"the block process ended with exit code {finished.returncode}"


def write_block(export, attempt, partial, after, up_to, size):
    """Append the summaries of the next `size` residents of the export's selection with a pk
    above `after` (and up to `up_to`) to the ZIP at `partial`; the pk of the last one written,
    or None when no resident is left after this block or the export was tried again since
    this attempt started."""
    residents = (
        export.residents()
        .filter(pk__gt=after, pk__lte=up_to)
        .select_related("municipality", "consultant")[:size]
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
            counted = BulkExport.objects.filter(pk=export.pk, attempt=attempt).update(
                done=F("done") + 1, progressed_at=timezone.now()
            )
            if not counted:
                return None
            last, written = client.pk, written + 1
    return last if written == size else None
