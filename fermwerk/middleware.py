from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_cache_control


def language_middleware(get_response):
    """Dutch for everyone unless they chose English with the language switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; the brief is that
    fermwerk speaks Dutch by default, whatever language the browser was installed in.
    """

    def middleware(request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

    return middleware


def no_store_middleware(get_response):
    """Nothing shown to a logged-in user is kept in the browser's cache.

    Every page behind the login shows personal data (lists, case pages, the timeline, their
    HTMX fragments); on a shared computer the next user must not find them in the cache or
    behind the back button. A view that sets its own Cache-Control keeps it.
    """

    def middleware(request):
        response = get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True)
        return response

    return middleware
