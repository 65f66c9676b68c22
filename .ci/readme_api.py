"""Run the README's API examples as printed, in order, on a fresh demo (`manage.py setup_demo` on SQLite).

Every `curl` of the README's "What to try first" is sent through Django's test client: its method, URL, headers and
body exactly as printed; `<token>` is replaced by the token the README's sign-in (`POST /api/v1/auth/login/`,
the first example) answered. A command that does not answer 2xx fails the run. The address of step 4 (a household
of commune A that commune B's officer must not see) is checked too: it is that household's for `canbo_xa_a`, a 404
for `canbo_xa_b`. Usage, after `setup_demo` on an empty database:

    DEBUG=1 SQLITE_PATH=... .venv/bin/python .ci/readme_api.py
"""

import os
import re
import shlex
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from households.models import User  # noqa: E402

LOGIN = "/api/v1/auth/login/"


def section(text: str, title: str) -> str:
    start = text.index(f"## {title}\n")
    following = text.find("\n## ", start + 1)
    return text[start : following if following != -1 else None]


def commands(text: str) -> list[list[str]]:
    """The shell commands of the section's ```sh blocks, each as its words (continuations and quotes resolved)."""
    found = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        pending = ""
        for line in block.splitlines():
            pending += line.strip() + "\n"
            if pending.endswith("\\\n"):
                pending = pending[:-2] + " "
                continue
            try:
                words = shlex.split(pending, comments=True)
            except ValueError:  # a quote still open: the command goes on
                continue
            pending = ""
            if words:
                found.append(words)
    return found


def request(words: list[str]) -> tuple[str, str, dict[str, str], str | None]:
    method, url, headers, body = "GET", "", {}, None
    rest = iter(words[1:])
    for word in rest:
        if word == "-H":
            name, _, value = next(rest).partition(":")
            headers[name.strip()] = value.strip()
        elif word in ("-d", "--data"):
            body, method = next(rest), "POST"
        elif word == "-X":
            method = next(rest)
        elif word.startswith("http"):
            url = word
        else:
            raise SystemExit(f"README: curl option not understood: {word}")
    return method, url, headers, body


def other_communes_household(text: str) -> bool:
    found = re.search(r"household (\d{5}-\d{6}) of commune A,\s+<https?://[^/>]+(/admin/[^>]+)>", text)
    if found is None:
        print("README: step 4's address not found")
        return False
    code, path = found.groups()
    seen = {}
    for username in ("canbo_xa_a", "canbo_xa_b"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        response = client.get(path, SERVER_NAME="127.0.0.1")
        seen[username] = (response.status_code, code in response.content.decode())
    ok = seen == {"canbo_xa_a": (200, True), "canbo_xa_b": (404, False)}
    print(f"{'ok' if ok else 'WRONG'} {path}: {code} for canbo_xa_a, 404 for canbo_xa_b ({seen})")
    return ok


def main() -> int:
    text = section((ROOT / "README.md").read_text(encoding="utf-8"), "What to try first")
    token = None
    client = Client()
    failed = 0
    ran = 0
    for words in commands(text):
        if words[0] != "curl":
            continue  # the command line's token (issue_api_token): the examples use the sign-in's
        method, url, headers, body = request(words)
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if any("<token>" in value for value in headers.values()) and token is None:
            print(f"README: {method} {path} needs a token, and no sign-in ({LOGIN}) came before it")
            return 1
        extra = {
            f"HTTP_{name.upper().replace('-', '_')}": value.replace("<token>", token or "")
            for name, value in headers.items()
            if name.lower() != "content-type"
        }
        content_type = headers.get("Content-Type", "application/octet-stream")
        host = {"SERVER_NAME": parts.hostname, "SERVER_PORT": str(parts.port or 80)}
        if method == "POST":
            response = client.post(path, data=body or "", content_type=content_type, **extra, **host)
        else:
            response = client.generic(method, path, **extra, **host)
        ran += 1
        ok = 200 <= response.status_code < 300
        if ok and parts.path == LOGIN:
            token = response.json()["token"]
        failed += not ok
        print(f"{response.status_code} {method} {path}")
        if not ok:
            print(f"    {response.content[:500].decode(errors='replace')}")
    if not ran:
        print("README: no curl example found")
        return 1
    failed += not other_communes_household(text)
    print(f"{ran - failed} of {ran} README API examples answered 2xx")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
