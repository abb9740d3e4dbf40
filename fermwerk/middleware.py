from django.conf import settings
from django.utils import translation


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
