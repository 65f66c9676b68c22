from django.conf import settings
from django.utils import translation


class DefaultLanguageMiddleware:
    """Vietnamese by default, whatever the browser asks for; English when the user chose it.

    The choice is the language cookie written by Django's `set_language` view (`/i18n/setlang/`).
    Unlike LocaleMiddleware, the browser's Accept-Language is ignored: an officer's browser set to
    English must not turn the admin into English.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class NulFreeUserAgentMiddleware:
    """NUL characters are dropped from the User-Agent header before anything stores it: PostgreSQL refuses them in
    text, and django-axes writes the header of every failed sign-in (a 500 otherwise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        agent = request.META.get("HTTP_USER_AGENT")
        if agent and "\0" in agent:
            request.META["HTTP_USER_AGENT"] = agent.replace("\0", "")
        return self.get_response(request)
