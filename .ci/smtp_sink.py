"""A local SMTP server for .ci/production: accepts every message after an AUTH LOGIN/PLAIN with the given account,
and writes one JSON line per message (sender, recipients, decoded subject) to OUTFILE. Stops on SIGTERM.

    python .ci/smtp_sink.py PORT OUTFILE USER PASSWORD
"""

import email
import email.policy
import json
import signal
import sys
import threading
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, path: str) -> None:
        self.path = path
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        line = {"from": envelope.mail_from, "to": envelope.rcpt_tos, "subject": str(message["subject"]).strip()}
        with self.lock, open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return "250 Message accepted for delivery"


def main() -> None:
    # AUTH without TLS on purpose (the loopback, CI only); and aiosmtpd's own use of a name it deprecates.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    warnings.filterwarnings("ignore", message="Session.login_data is deprecated")
    port, path, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            user.encode(),
            password.encode(),
        )
        return AuthResult(success=ok)

    # No TLS on the loopback: AUTH is allowed in clear here (auth_require_tls=False), never on a real server.
    controller = Controller(
        Sink(path),
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    print(f"SMTP sink on 127.0.0.1:{port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
