from django.conf import settings
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext_lazy as _


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


class SpokenIconsMiddleware:
    """The admin's yes/no icons (✓, ✗, ?) said in the page's language to those who hear the page.

    Django writes the Python value into their text alternative (`alt="False"`, in
    `django.contrib.admin.templatetags.admin_list._boolean_icon`, which every list column, read-only field and
    inline row of a boolean calls) and has no hook to say it otherwise; this rewrites exactly that attribute of
    exactly those images, in the admin's HTML pages, after they are rendered."""

    ICONS = {"yes": ("True", _("Yes")), "no": ("False", _("No")), "unknown": ("None", _("Unknown"))}

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = reverse_lazy("admin:index")

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(str(self.prefix))
            and response.get("Content-Type", "").startswith("text/html")
            and not response.streaming
            and b'.svg" alt="' in response.content
        ):
            content = response.content
            for icon, (value, word) in self.ICONS.items():
                old = f'/img/icon-{icon}.svg" alt="{value}">'.encode()
                content = content.replace(old, f'/img/icon-{icon}.svg" alt="{word}">'.encode())
            response.content = content
        return response
