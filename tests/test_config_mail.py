"""Mail that reaches people: the SMTP settings from the environment (config/settings.py), the password from a file
for secrets, TLS or SSL but not both, a timeout; and the reminders sent through a real SMTP server (aiosmtpd, started
here) arrive once. Settings are read once at start-up, so the settings tests start a fresh Python."""

import datetime
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core import mail

from households.models import User
from programs.review.services import calendar as reminders
from tests.programs.review_helpers import make_poor
from tests.test_config_security import production_env, run, settings_in

MAIL = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS")
MAIL += ("EMAIL_USE_SSL", "EMAIL_TIMEOUT")


def mail_env(**values: str) -> dict[str, str]:
    environ = {k: v for k, v in production_env().items() if not k.startswith("EMAIL_")}
    return environ | values


def test_without_a_mail_server_mail_goes_to_the_console():
    found = settings_in(mail_env(), *MAIL)
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert found["EMAIL_TIMEOUT"] == 30


def test_a_mail_server_from_the_environment_with_its_password_from_a_file(tmp_path):
    secret = tmp_path / "smtp-password"
    secret.write_text("s3cret with spaces\n", encoding="utf-8")
    found = settings_in(
        mail_env(
            EMAIL_HOST="smtp.example.gov.vn",
            EMAIL_PORT="587",
            EMAIL_HOST_USER="giamngheo",
            EMAIL_HOST_PASSWORD_FILE=str(secret),
            EMAIL_USE_TLS="1",
            EMAIL_TIMEOUT="12",
        ),
        *MAIL,
    )
    assert found == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.gov.vn",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "giamngheo",
        "EMAIL_HOST_PASSWORD": "s3cret with spaces",  # the file's last newline dropped, nothing else
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 12,
    }


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on"),
        ({"EMAIL_HOST_PASSWORD": "x", "EMAIL_HOST_PASSWORD_FILE": "/etc/hostname"}, "not both"),
        ({"EMAIL_HOST_PASSWORD_FILE": "/nonexistent/secret"}, "EMAIL_HOST_PASSWORD_FILE='/nonexistent/secret' cannot"),
        ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT must be an integer"),
        ({"EMAIL_USE_SSL": "maybe"}, "EMAIL_USE_SSL must be a boolean"),
    ],
)
def test_a_wrong_mail_setting_stops_the_process_with_a_clear_message(values, message):
    result = run(["manage.py", "check"], mail_env(EMAIL_HOST="smtp.example.gov.vn", **values))
    assert result.returncode != 0
    assert message in result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.mark.django_db
def test_the_reminders_reach_a_real_smtp_server_once(
    settings, make_household, commune_a, admin_user, officer_a, chair_a
):
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=free_port())
    server.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
        User.objects.filter(pk=officer_a.pk).update(email="canbo@xa.vn")
        User.objects.filter(pk=chair_a.pk).update(email="chutich@xa.vn")
        for name in ("Hộ một", "Hộ hai"):
            make_poor(make_household(commune_a, name), admin_user)
        reminders.open_periodic_review(year=2026, area_codes=[commune_a.code])
        first = reminders.send_review_reminders(today=datetime.date(2026, 10, 9), days=7)
        again = reminders.send_review_reminders(today=datetime.date(2026, 10, 9), days=7)
    finally:
        server.stop()
    assert (first.steps, first.emailed) == (1, 1)
    assert (again.steps, again.emailed) == (0, 0)
    [message] = inbox.messages
    assert message["To"] == "canbo@xa.vn"
    assert str(message["Subject"]).strip().startswith("[Giảm nghèo] 2 hộ cần khảo sát")
    assert mail.outbox == []  # through the server, not the test backend
