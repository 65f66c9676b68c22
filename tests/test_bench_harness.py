"""bench/harness.py, the benches' shared parts: what they count and replay, not how fast anything is."""

import http.server
import threading

import pytest
from django.db import connection
from django.test import override_settings

from bench import harness


def test_percentile_is_the_nearest_rank():
    samples = [float(n) for n in range(1, 101)]
    assert harness.percentile(samples, 0.95) == 95
    assert harness.percentile(samples, 0.50) == 50
    assert harness.percentile([7.0], 0.95) == 7


def test_a_row_says_the_median_the_spread_the_ratio_and_whether_the_target_is_met():
    app, raw = harness.Figures([30.0, 10.0, 20.0]), harness.Figures([4.0, 5.0, 6.0])
    target = harness.Target("≤ 3x", ratio_at_most=3)
    row = harness.seconds_row("reclassify", app, "INSERT", raw, target)
    assert row.markdown() == "| reclassify | 20.0 s (10.0-30.0) | INSERT: 5.0 s (4.0-6.0) | 4.0 | ≤ 3x | **no** |"
    assert harness.Target("< 25 s", app_below=25).met(app, raw)


def test_interleave_runs_app_then_raw_in_every_round():
    calls = []
    app, raw = harness.interleave(3, lambda n: calls.append(("app", n)) or n, lambda n: calls.append(("raw", n)) or 0.5)
    assert calls == [("app", 1), ("raw", 1), ("app", 2), ("raw", 2), ("app", 3), ("raw", 3)]
    assert app.values == [1, 2, 3] and raw.median == 0.5


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    connections: set = set()

    def do_GET(self):  # noqa: N802 - the standard library's name
        Handler.connections.add(self.client_address)
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"hello ", b"world"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/missing":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.connections = set()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_the_load_generator_sends_exactly_n_requests_over_c_kept_alive_connections(server):
    load = harness.http_load(server, ["/plain", "/chunked"], {"Authorization": "Token x"}, requests=40, clients=4)
    assert len(load.latencies) == 40 and load.failures == 0
    assert len(Handler.connections) == 4  # one connection per client, kept alive
    assert load.p95 >= load.p50 > 0


def test_the_load_generator_counts_a_refusal_as_a_failure_not_a_latency(server):
    load = harness.http_load(server, ["/missing"], {}, requests=5, clients=2)
    assert load.latencies == [] and load.failures == 5 and "404" in load.first_failure


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["127.0.0.1"])
def test_capture_takes_the_statements_the_app_runs_for_a_request(officer_a):
    from households.services.sign_in import issue_api_token

    _, key = issue_api_token(actor=None, user_id=officer_a.pk, hours=1)
    statements = harness.capture("/api/v1/households/?status=poor", {"Authorization": f"Token {key}"})
    assert any('FROM "households_household"' in statement.sql for statement in statements)
    as_text = [statement for statement in statements if statement.params is None]
    assert as_text and all("%s" not in statement.sql for statement in as_text)  # the parameters in the text, as sent
    # the page of the list (households.api_list): bound by the server with its parameters, prepared as the app's is
    (page,) = [statement for statement in statements if statement.params is not None]
    assert "json_build_object(" in page.sql and "poor" in page.params and page.prepared
    ordered = harness.capture("/api/v1/households/?ordering=-id", {"Authorization": f"Token {key}"})
    assert all(statement.params is None for statement in ordered)  # the general path: every statement as text


@pytest.mark.django_db
def test_the_raw_side_replays_every_list_of_statements_n_times_with_c_threads(monkeypatch):
    settings = connection.settings_dict
    monkeypatch.setattr(harness, "SERVER", f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}")
    S = harness.Statement
    statements = [
        [S("SELECT 1"), S("SELECT generate_series(1, 3)")],
        [S("BEGIN"), S("SELECT 2"), S("COMMIT")],
        [S("SELECT %s::int + %s", (1, 2), prepared=True), S("SELECT '%s'")],  # bound by the server; a text's % as is
    ]
    load = harness.sql_load(settings["NAME"], statements, requests=21, clients=3)
    assert len(load.latencies) == 21 and load.failures == 0
    broken = harness.sql_load(settings["NAME"], [[S("SELECT no_such_column")]], requests=4, clients=2)
    assert broken.failures == 4 and "no_such_column" in broken.first_failure
