import re
from pathlib import Path

import pytest

from conformance.cases import FIXTURES
from conformance.config import (ConfigError, Credential, TransportSettings, load_config,
                                target_from_options)
from conformance.versions import Version

ENV = {
    "ADMIN_ID": "siteadmin", "ADMIN_PW": "adm1n-pw",
    "HOST_ID": "host1", "HOST_PW": "h0st-pw",
    "TOKEN": "machine-token-xyz", "SUSP_ID": "susp-admin", "SUSP_PW": "susp-pw",
}

FULL = """
[defaults]
read_timeout = 20.0
rate_limit = 1.5
retries = 1

[[target]]
name = "prod"
endpoint = "https://example.webex.com/WBXService/XMLService"
version = "auto"
site_name = "example"
site_id = 243585
partner_id = "pid"
read_timeout = 40

[target.credentials.site-admin]
webExID_env = "ADMIN_ID"
password_env = "ADMIN_PW"

[target.credentials.host]
webExID_env = "HOST_ID"
password_env = "HOST_PW"

[target.credentials.access-token]
access_token_env = "TOKEN"

[target.sites.suspended]
site_name = "example-suspended"
[target.sites.suspended.credentials.site-admin]
webExID_env = "SUSP_ID"
password_env = "SUSP_PW"

[target.fixtures]
provides = ["recording", "mail-sink"]

[target.values]
sessions.pmr = 123456789
"users.host.email" = "host1@example.com"
mail = { url = "http://127.0.0.1:8025/messages" }

[[target]]
name = "staging"
endpoint = "http://127.0.0.1:8080/WBXService/XMLService"
version = "11.0 SP10"
site_name = "staging"
rate_limit = 0
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "webex-conformance.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_full_example_loads(tmp_path):
    prod, staging = load_config(write(tmp_path, FULL), environ=ENV)
    assert prod.name == "prod" and prod.version is None
    assert prod.transport.read_timeout == 40.0          # target overrides defaults
    assert prod.transport.rate_limit == 1.5 and prod.transport.retries == 1
    assert prod.transport.connect_timeout == 5.0        # built-in default
    main = prod.sites["main"]
    assert (main.site_name, main.site_id, main.partner_id) == ("example", "243585", "pid")
    assert prod.credential("main", "site-admin") == Credential("siteadmin", "adm1n-pw")
    assert prod.credential("main", "anonymous") is None
    assert prod.credential("main", "attendee") is None
    assert prod.credential("suspended", "site-admin").webex_id == "susp-admin"
    assert prod.credential("control-hub", "site-admin") is None
    assert prod.provides == {"recording", "mail-sink", "suspended-site", "access-token"}
    assert prod.values["sessions.pmr"] == "123456789"
    assert prod.values["users.host.email"] == "host1@example.com"
    assert prod.values["mail.url"] == "http://127.0.0.1:8025/messages"
    assert prod.values["site.name"] == "example"
    assert prod.values["users.admin.webExID"] == "siteadmin"
    assert sorted(prod.secrets()) == sorted(["adm1n-pw", "h0st-pw", "machine-token-xyz", "susp-pw"])
    assert staging.version == Version(11, 0, 0, 10)
    assert staging.transport.rate_limit is None
    assert staging.transport.read_timeout == 20.0
    assert staging.sites["main"].credentials == {}


def test_credential_repr_hides_secrets():
    c = Credential("bob", password="hunter2", access_token="tok-123", session_ticket="tick-456")
    for text in (repr(c), str(c)):
        assert "hunter2" not in text and "tok-123" not in text and "tick-456" not in text
        assert "bob" in text


def test_target_repr_hides_secrets(tmp_path):
    prod, _ = load_config(write(tmp_path, FULL), environ=ENV)
    text = repr(prod)
    for secret in prod.secrets():
        assert secret not in text


BAD = [
    ("literal password", 'password = "x"', "credentials.site-admin.password", "never live in files"),
    ("literal token", 'accessToken = "x"', "credentials.site-admin.accessToken", "access_token_env"),
    ("unset env", 'webExID_env = "ADMIN_ID"\npassword_env = "NOPE"', "password_env", "NOPE is not set"),
    ("unknown key", 'webExID_env = "ADMIN_ID"\npasword_env = "ADMIN_PW"', "pasword_env", "unknown key"),
    ("no secret", 'webExID_env = "ADMIN_ID"', "password_env", "needs password_env"),
]


@pytest.mark.parametrize("label,body,key,reason", BAD, ids=[b[0] for b in BAD])
def test_bad_credentials(tmp_path, label, body, key, reason):
    text = f"""
[[target]]
name = "t1"
endpoint = "https://x.webex.com/WBXService/XMLService"
site_name = "x"
[target.credentials.site-admin]
{body}
"""
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path, environ=ENV)
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith(str(path)) and "target 't1'" in msg
    assert key in msg and reason in msg


TARGET_ERRORS = [
    ('version = "39.x"', "version", "malformed version"),
    ("version = 39", "version", "must be a string"),
    ('endpoint2 = "x"', "endpoint2", "unknown key"),
    ("read_timeout = -1", "read_timeout", "greater than 0"),
    ('retries = "2"', "retries", "must be an integer"),
    ('verify_tls = 3', "verify_tls", "CA bundle"),
    ('schema_dir = "nowhere"', "schema_dir", "not a directory"),
    ('[target.fixtures]\nprovides = ["suspended-site"]', "fixtures.provides", "needs a [target.sites.suspended]"),
    ('[target.fixtures]\nprovides = ["time-machine"]', "fixtures.provides[0]", "unknown fixture"),
    ('[target.values]\n"sessions.pmr" = 1.5', "values.sessions.pmr", "must be a string"),
    ('[target.sites.moon]\nsite_name = "m"', "sites.moon", "unknown site"),
    ('[target.sites.suspended]\nsite_id = 1', "sites.suspended.site_name", "missing required key"),
    ('[target.credentials.guest]\nwebExID = "g"', "credentials.guest", "unknown role"),
]


@pytest.mark.parametrize("extra,key,reason", TARGET_ERRORS, ids=[t[1] + "-" + t[2] for t in TARGET_ERRORS])
def test_bad_target_keys(tmp_path, extra, key, reason):
    text = f"""
[[target]]
name = "t2"
endpoint = "https://x.webex.com/WBXService/XMLService"
site_name = "x"
{extra}
"""
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text), environ=ENV)
    msg = str(err.value)
    assert "\n" not in msg and "target 't2'" in msg
    assert f": {key}: " in msg and reason in msg


FILE_ERRORS = [
    ("", "no [[target]] table"),
    ("[target]\nname = 'x'", "write [[target]]"),
    ("[defaults]\nrate_limt = 2", "defaults.rate_limt: unknown key"),
    ("[[target]]\nendpoint = 'https://x/'", "target[0].name: missing"),
    ("[[target]]\nname='a'\nsite_name='s'\nendpoint='ftp://x/'", "must be an http(s) URL"),
    ("[[target]]\nname='a'\nendpoint='https://x/'", "site_name: missing required key"),
    ("[[target]]\nname='a'\nsite_name='s'\nendpoint='https://x/'\n"
     "[[target]]\nname='a'\nsite_name='s'\nendpoint='https://x/'", "duplicate target name"),
    ("this is = = not toml", "not valid TOML"),
    ("extra = 1", "extra: unknown key"),
]


@pytest.mark.parametrize("text,reason", FILE_ERRORS, ids=[f[1] for f in FILE_ERRORS])
def test_bad_files(tmp_path, text, reason):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path, environ=ENV)
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(str(path)) and reason in msg


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "absent.toml")


def test_defaults_and_relative_schema_dir(tmp_path):
    (tmp_path / "schemas" / "x").mkdir(parents=True)
    text = """
[[target]]
name = "a"
endpoint = "https://x.webex.com/WBXService/XMLService"
version = "42.7.0"
site_name = "x"
schema_dir = "schemas/x"
"""
    (t,) = load_config(write(tmp_path, text), environ={})
    assert t.transport == TransportSettings()
    assert t.transport.user_agent.startswith("webex-conformance/")
    assert t.version == Version(42, 7, 0)          # well-formed though undocumented: allowed
    assert t.schema_dir == (tmp_path / "schemas" / "x").resolve()
    assert t.provides == frozenset() and not t.embedded


def test_every_fixture_name_is_accepted(tmp_path):
    names = [f for f in FIXTURES if f not in ("suspended-site", "control-hub-site",
                                              "auto-record-site", "access-token")]
    text = f"""
[[target]]
name = "a"
endpoint = "https://x.webex.com/WBXService/XMLService"
site_name = "x"
[target.fixtures]
provides = {names!r}
"""
    (t,) = load_config(write(tmp_path, text), environ={})
    assert t.provides == frozenset(names)


def test_docs_example_loads(tmp_path):
    doc = Path(__file__).resolve().parents[1] / "docs" / "CONFIG.md"
    blocks = re.findall(r"```toml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    assert blocks, "docs/CONFIG.md has no ```toml example"
    example = max(blocks, key=len)
    env_names = set(re.findall(r'_env\s*=\s*"([A-Z0-9_]+)"', example))
    environ = {n: f"value-of-{n.lower()}" for n in env_names}
    for d in re.findall(r'schema_dir\s*=\s*"([^"]+)"', example):
        (tmp_path / d).mkdir(parents=True, exist_ok=True)
    targets = load_config(write(tmp_path, example), environ=environ)
    assert targets and all(t.endpoint.startswith("http") for t in targets)


OPT_ENV = {
    "WEBEX_SITE_NAME": "mysite", "WEBEX_ADMIN_ID": "adm", "WEBEX_ADMIN_PASSWORD": "apw1",
    "WEBEX_HOST_ID": "hst", "WEBEX_HOST_PASSWORD": "hpw1", "WEBEX_ACCESS_TOKEN": "tok1",
}


def test_target_from_options_reads_environment():
    t = target_from_options("https://my.webex.com/WBXService/XMLService", "42.6.0", environ=OPT_ENV)
    assert t.version == Version(42, 6, 0)
    assert t.sites["main"].site_name == "mysite"
    assert t.credential("main", "site-admin") == Credential("adm", "apw1")
    assert t.credential("main", "host").password == "hpw1"
    assert t.credential("main", "attendee") is None
    assert t.credential("main", "access-token").access_token == "tok1"
    assert "access-token" in t.provides
    assert set(t.secrets()) == {"apw1", "hpw1", "tok1"}
    assert t.name == "my.webex.com"
    auto = target_from_options("https://my.webex.com/x", None, "other", environ={})
    assert auto.version is None and auto.sites["main"].site_name == "other"


@pytest.mark.parametrize("env,endpoint,reason", [
    ({}, "https://x/", "WEBEX_SITE_NAME"),
    ({"WEBEX_SITE_NAME": "s", "WEBEX_HOST_ID": "h"}, "https://x/", "WEBEX_HOST_PASSWORD is not"),
    ({"WEBEX_SITE_NAME": "s"}, "x.webex.com", "http(s) URL"),
])
def test_target_from_options_errors(env, endpoint, reason):
    with pytest.raises(ConfigError) as err:
        target_from_options(endpoint, environ=env)
    assert reason in str(err.value) and "\n" not in str(err.value)


def test_target_from_options_rejects_bad_version_and_fixture():
    with pytest.raises(ConfigError, match="malformed version"):
        target_from_options("https://x/", "forty-two", "s", environ={})
    with pytest.raises(ConfigError, match="unknown fixture"):
        target_from_options("https://x/", None, "s", provides=["nope"], environ={})
