"""Safety keys of webex-conformance.toml: per target, [safety] defaults, production hosts."""
from __future__ import annotations

import pytest

from conformance.config import ConfigError, load_config
from conformance.safety_settings import SafetySettings, from_json, production_host, to_json
from conformance.targets import from_json as run_from_json, to_json as run_to_json, TargetRun

BASE = '''
[[target]]
name = "{name}"
endpoint = "{endpoint}"
version = "42.6.0"
site_name = "s"
{extra}
'''


def load(tmp_path, text):
    p = tmp_path / "c.toml"
    p.write_text(text, encoding="utf-8")
    return load_config(p, environ={})


def test_defaults_are_safe(tmp_path):
    t, = load(tmp_path, BASE.format(name="a", endpoint="https://a.example/x", extra=""))
    assert t.safety == SafetySettings() and t.safety.allow_writes is None and not t.safety.production


def test_target_keys_and_safety_defaults(tmp_path):
    text = '''
[safety]
production_hosts = ["*.webex.com"]
max_writes = 40
api_rate_limits = { CreateMeeting = 0.5 }
''' + BASE.format(name="prod", endpoint="https://acme.webex.com/WBXService/XMLService", extra="") \
        + BASE.format(name="staging", endpoint="https://staging.example.com/x",
                      extra='allow_writes = true\nbreaker_threshold = 3\napi_rate_limits = { "meeting.SetMeeting" = 1 }') \
        + BASE.format(name="odd", endpoint="https://x.webex.com/x", extra="production = false\nallow_writes = false")
    prod, staging, odd = load(tmp_path, text)
    assert prod.safety.production and prod.safety.max_writes == 40
    assert prod.safety.api_rate_limits == {"CreateMeeting": 0.5}
    assert not staging.safety.production and staging.safety.allow_writes is True
    assert staging.safety.breaker_threshold == 3
    assert staging.safety.api_rate_limits == {"CreateMeeting": 0.5, "SetMeeting": 1.0}
    assert not odd.safety.production and odd.safety.allow_writes is False


@pytest.mark.parametrize("extra, key", [
    ("allow_writes = 1", "allow_writes"), ("max_writes = 0", "max_writes"), ("max_writes = 1.5", "max_writes"),
    ("api_rate_limits = 2", "api_rate_limits"), ("api_rate_limits = { GetSite = -1 }", "api_rate_limits.GetSite"),
    ("production = \"yes\"", "production"), ("max_retry_after = 0", "max_retry_after")])
def test_bad_safety_keys_name_target_and_key(tmp_path, extra, key):
    with pytest.raises(ConfigError, match=f"target 'a': {key}:"):
        load(tmp_path, BASE.format(name="a", endpoint="https://a.example/x", extra=extra))


def test_bad_safety_table(tmp_path):
    with pytest.raises(ConfigError, match="safety.production_hosts"):
        load(tmp_path, "[safety]\nproduction_hosts = \"*.webex.com\"\n" + BASE.format(name="a", endpoint="https://a/x", extra=""))
    with pytest.raises(ConfigError, match="safety.production: unknown key"):
        load(tmp_path, "[safety]\nproduction = true\n" + BASE.format(name="a", endpoint="https://a/x", extra=""))


def test_production_host_patterns():
    assert production_host("ACME.webex.com", ["*.webex.com"])
    assert not production_host("acme.webex.com.evil", ["*.webex.com"])
    assert not production_host("", ["*.webex.com"])


def test_settings_travel_to_xdist_workers(tmp_path):
    t, = load(tmp_path, BASE.format(name="a", endpoint="https://a.example/x",
                                    extra="allow_writes = true\nproduction = true\nmax_writes = 3"))
    back = run_from_json(run_to_json(TargetRun(t, t.version, "given")))
    assert back.target.safety == t.safety
    assert from_json(to_json(t.safety)) == t.safety and from_json(None) == SafetySettings()
