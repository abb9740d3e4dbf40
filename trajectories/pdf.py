"""PDFs from HTML: WeasyPrint with a fetcher that reads the app's own static files and
nothing else, so that nothing typed into a case file can make the server fetch a URL."""

import mimetypes
import threading
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

# The address documents are rendered at; `{% static %}` paths resolve against it.
BASE_URL = "https://fermwerk.pdf/"
FETCHABLE = {".css", ".svg", ".png", ".woff2", ".woff", ".ttf"}
# One font configuration per thread, kept: a new one per document leaks native memory
# (about 0.3 MB a PDF, measured), which a bulk export of thousands of summaries would feel.
fonts = threading.local()


class RefusedURL(ValueError):
    pass


def static_file(url):
    """The bytes and type of one of the app's own static files named by `url`, or RefusedURL
    for anything else: another scheme (file:, data:), another host, a path outside the static
    files, a kind of file a document does not need."""
    parts = urlsplit(url)
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    if parts.scheme != "https" or parts.netloc != urlsplit(BASE_URL).netloc:
        raise RefusedURL(f"not one of fermwerk's static files: {url[:80]}")
    if parts.query or not parts.path.startswith(prefix):
        raise RefusedURL(f"not one of fermwerk's static files: {url[:80]}")
    name = unquote(parts.path.removeprefix(prefix))
    if ".." in name.split("/") or not any(name.endswith(suffix) for suffix in FETCHABLE):
        raise RefusedURL(f"not one of fermwerk's static files: {url[:80]}")
    found = finders.find(name)
    if not found:
        raise RefusedURL(f"no such static file: {name[:80]}")
    with open(found, "rb") as file:
        return file.read(), mimetypes.guess_type(name)[0] or "application/octet-stream"


def render_pdf(html, target=None):
    """The HTML as PDF bytes, or written to the file object `target`."""
    # Imported here: WeasyPrint takes most of a second to load, which only a PDF needs.
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            body, content_type = static_file(url)
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly())
    if not hasattr(fonts, "configuration"):
        fonts.configuration = FontConfiguration()
    return document.write_pdf(target, font_config=fonts.configuration)
