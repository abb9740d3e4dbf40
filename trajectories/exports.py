"""Bulk export: the PDF case summaries of a selection of residents as one ZIP, built by a
background task (Django's Tasks framework; `manage.py db_worker` runs it).

Each summary is written straight into its ZIP entry, so memory holds one summary at a time
whatever the size of the selection. Progress is stored as it goes; the page polls it."""

import logging
import zipfile

from django.db.models import F
from django.tasks import task
from django.utils import timezone

from clients.models import AccessLog

from .models import BulkExport
from .summary import summary_pdf

logger = logging.getLogger(__name__)


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
    export = BulkExport.objects.select_related("requested_by").get(pk=export_id)
    exports = BulkExport.objects.filter(pk=export_id)
    residents = export.residents()
    exports.update(status=BulkExport.Status.RUNNING, total=residents.count(), done=0, error="")
    path = export.file_path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    try:
        with zipfile.ZipFile(partial, "w") as archive:
            for client in residents.select_related("municipality", "consultant").iterator(
                chunk_size=100
            ):
                name = f"samenvatting-{client.pk}.pdf"
                with archive.open(name, "w", force_zip64=True) as entry:
                    summary_pdf(client, export.requested_by, target=entry, language=export.language)
                AccessLog.objects.record(
                    export.requested_by,
                    AccessLog.Action.BULK_EXPORT,
                    clients=[client],
                    detail=str(export),
                    reason=export.reason,
                )
                exports.update(done=F("done") + 1)
    except Exception as error:
        partial.unlink(missing_ok=True)
        exports.update(
            status=BulkExport.Status.FAILED, error=repr(error)[:500], finished_at=timezone.now()
        )
        logger.exception("Bulk export %s failed", export_id)
        raise
    partial.replace(path)
    exports.update(status=BulkExport.Status.DONE, finished_at=timezone.now())
