"""Which targets a run judges, at which versions, and how the version is known."""
import http.server
import threading

import pytest

from conformance.config import ConfigError
from conformance.detect import DetectError
from conformance.embedded import EmbeddedServers
from conformance.targets import Unreachable, from_json, resolve, to_json
from conformance.versions import ALL_VERSIONS, LATEST, parse_version

CONFIG = '''
[[target]]
name = "staging"
endpoint = "https://staging.example.com/WBXService/XMLService"
version = "42.5.0"
site_name = "staging"
[target.credentials.site-admin]
webExID = "admin"
password_env = "TEST_TARGETS_PASSWORD"
'''


@pytest.fixture()
def config(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_TARGETS_PASSWORD", "s3cret-pass")
    p = tmp_path / "webex-conformance.toml"
    p.write_text(CONFIG)
    return p


def test_configured_version_and_command_line_overrides(config):
    [run] = resolve(endpoint=None, versions=[], config_path=config)
    assert (run.version, run.how) == (parse_version("42.5.0"), "given in the configuration")
    assert run.config_path == str(config) and from_json(to_json(run)) == run
    [run] = resolve(endpoint="https://other.example.com/WBXService/XMLService", versions=["39.2.0"],
                    config_path=config, site_name="othersite")
    assert run.target.endpoint == "https://other.example.com/WBXService/XMLService"
    assert run.target.sites["main"].site_name == "othersite" and run.target.values["site.name"] == "othersite"
    assert run.target.sites["main"].credentials["site-admin"].password == "s3cret-pass"
    assert (run.version, run.how) == (parse_version("39.2.0"), "given on the command line")


@pytest.mark.parametrize("kwargs,words", [
    ({"versions": ["10.0"]}, "older than the oldest documented version"),
    ({"versions": ["banana"]}, "malformed version"),
    ({"target_names": ["prod"]}, "--target selects a target of a configuration file"),
    ({"site_name": "x"}, "--site-name goes with --endpoint"),
    ({"schema_dir": "/no/such/dir"}, "--schema-dir"),
])
def test_usage_errors(kwargs, words):
    args = {"endpoint": None, "versions": [], "config_path": None, "servers": EmbeddedServers(), **kwargs}
    with pytest.raises(ConfigError, match=words):
        resolve(**args)


def test_unknown_target_and_bad_endpoint_in_config(config):
    with pytest.raises(ConfigError, match="no target named 'prod'"):
        resolve(endpoint=None, versions=[], config_path=config, target_names=["prod"])
    with pytest.raises(ConfigError, match="--endpoint"):
        resolve(endpoint="ftp://x", versions=[], config_path=config)


def test_embedded_default_is_the_latest_or_all_versions():
    with EmbeddedServers() as servers:
        assert [r.version for r in resolve(endpoint=None, versions=[], config_path=None, servers=servers)] == [LATEST]
        runs = resolve(endpoint=None, versions=[], config_path=None, servers=servers, default_all_versions=True)
        assert [r.version for r in runs] == list(ALL_VERSIONS)
        assert all(r.target.embedded and r.target.transport.rate_limit is None for r in runs)
        back = from_json(to_json(runs[0]))
        assert back == runs[0]


class _Echo(http.server.BaseHTTPRequestHandler):
    """A server that answers FAILURE and echoes what it received (as careless ones do)."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        reason = body.decode()[body.decode().index("<password>"):][:60].replace("<", "[").replace(">", "]")
        data = (f'<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service"><serv:header>'
                f'<serv:response><serv:result>FAILURE</serv:result><serv:reason>bad {reason}</serv:reason>'
                f'<serv:exceptionID>030002</serv:exceptionID></serv:response></serv:header><serv:body>'
                f'<serv:bodyContent/></serv:body></serv:message>').encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass


def test_detection_failure_is_masked_and_unreachable_is_its_own_error(monkeypatch):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    monkeypatch.setenv("WEBEX_SITE_NAME", "s")
    monkeypatch.setenv("WEBEX_ADMIN_ID", "admin")
    monkeypatch.setenv("WEBEX_ADMIN_PASSWORD", "s3cret-pass")
    try:
        with pytest.raises(DetectError) as exc:
            resolve(endpoint=f"http://127.0.0.1:{srv.server_address[1]}/WBXService/XMLService", versions=[],
                    config_path=None)
        assert "030002" in str(exc.value) and "s3cret-pass" not in str(exc.value)
    finally:
        srv.shutdown()
    with pytest.raises(Unreachable, match="endpoint unreachable"):
        resolve(endpoint="http://127.0.0.1:1/WBXService/XMLService", versions=[], config_path=None)
