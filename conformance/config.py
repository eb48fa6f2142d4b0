"""Targets: which site to test, with which credentials, fixtures and transport settings.

Credentials never live in files: the configuration names *environment variables* and
``load_config`` reads them, so a config file can be committed and shared.  Every
mistake is a ``ConfigError`` naming the file, the target and the key, because a typo in
a config should stop the run before the first request, not surface as 500 odd failures.
The format is documented in ``docs/CONFIG.md``.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit

from . import errors
from . import __version__
from .cases import FIXTURES, ROLE_USER, ROLES, SITE_FIXTURES, SITES
from .safety_settings import SAFETY_KEYS, TOP_KEYS, SafetySettings, parse_safety, production_host
from .versions import Version, VersionError, documented_at_or_below, parse_version

__all__ = [
    "Credential", "SiteAccess", "TransportSettings", "Target", "ConfigError",
    "load_config", "target_from_options", "validate_endpoint", "CREDENTIAL_ROLES", "OPTION_ENV",
]

# Roles that carry a credential ("anonymous" is the absence of one).
CREDENTIAL_ROLES = tuple(r for r in ROLES if r != "anonymous")
_EXTRA_SITES = tuple(s for s in SITES if s != "main")


# One mistake in a configuration; the message is one line naming file, target and key.
ConfigError = errors.ConfigError


@dataclass(frozen=True)
class Credential:
    webex_id: str | None = None
    password: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    session_ticket: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        shown = lambda v: None if v is None else "***"  # noqa: E731
        return (f"Credential(webex_id={self.webex_id!r}, password={shown(self.password)}, "
                f"access_token={shown(self.access_token)}, "
                f"session_ticket={shown(self.session_ticket)})")

    __str__ = __repr__

    def secrets(self) -> list[str]:
        return [s for s in (self.password, self.access_token, self.session_ticket) if s]


@dataclass(frozen=True)
class SiteAccess:
    site_name: str
    site_id: str | None = None
    partner_id: str | None = None
    credentials: dict[str, Credential] = field(default_factory=dict)


@dataclass(frozen=True)
class TransportSettings:
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retries: int = 2
    backoff: float = 0.5
    rate_limit: float | None = 2.0          # requests per second; None = unlimited
    verify_tls: bool | str = True           # or the path of a CA bundle
    max_response_bytes: int = 5 * 1024 * 1024
    user_agent: str = f"webex-conformance/{__version__}"


@dataclass(frozen=True)
class Target:
    name: str
    endpoint: str
    version: Version | None                 # None: ask the server (GetAPIVersion)
    sites: dict[str, SiteAccess]
    provides: frozenset[str] = frozenset()
    values: dict[str, str] = field(default_factory=dict)
    transport: TransportSettings = field(default_factory=TransportSettings)
    schema_dir: Path | None = None
    embedded: bool = False
    safety: SafetySettings = field(default_factory=SafetySettings)   # conformance.safety_settings

    def credential(self, site: str, role: str) -> Credential | None:
        """The credential for ``role`` on ``site``; None for anonymous or if not configured."""
        if role == "anonymous":
            return None
        access = self.sites.get(site)
        if access is None:
            return None
        return access.credentials.get(role)

    def secrets(self) -> list[str]:
        """Every secret of every site, for ``masking.mask``."""
        out: list[str] = []
        for access in self.sites.values():
            for cred in access.credentials.values():
                out.extend(s for s in cred.secrets() if s not in out)
        return out


# ---------------------------------------------------------------------------- loading

_TRANSPORT_KEYS = {f.name for f in fields(TransportSettings)}
_TARGET_KEYS = {"name", "endpoint", "version", "site_name", "site_id", "partner_id",
                "credentials", "sites", "fixtures", "values", "schema_dir"} | _TRANSPORT_KEYS | SAFETY_KEYS
_SITE_KEYS = {"site_name", "site_id", "partner_id", "credentials"}
_CRED_KEYS = {"webExID", "webExID_env", "password_env", "access_token_env", "session_ticket_env"}
_LITERAL_SECRETS = {"password", "access_token", "accessToken", "session_ticket", "sessionTicket",
                    "token"}
_VALUE_KEY = re.compile(r"^[A-Za-z_][\w-]*(\.[A-Za-z_0-9][\w-]*)*$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Where:
    """Builds the 'file: target 'x': key' prefix of every message."""

    def __init__(self, source: str, target: str | None = None):
        self.source = source
        self.target = target

    def err(self, key: str, reason: str) -> ConfigError:
        parts = [self.source]
        if self.target is not None:
            parts.append(f"target {self.target!r}")
        if key:
            parts.append(key)
        return ConfigError(": ".join(parts) + ": " + " ".join(reason.split()))


def _type_name(v: Any) -> str:
    return {str: "a string", bool: "a boolean", int: "an integer", float: "a number",
            list: "a list", dict: "a table"}.get(type(v), type(v).__name__)


def _str(d: Mapping, key: str, w: _Where, prefix: str = "", required: bool = False) -> str | None:
    if key not in d:
        if required:
            raise w.err(prefix + key, "missing required key")
        return None
    v = d[key]
    if not isinstance(v, str):
        raise w.err(prefix + key, f"must be a string, not {_type_name(v)}")
    if not v.strip():
        raise w.err(prefix + key, "must not be empty")
    return v.strip()


def _table(d: Mapping, key: str, w: _Where, prefix: str = "") -> dict:
    v = d.get(key, {})
    if not isinstance(v, dict):
        raise w.err(prefix + key, f"must be a table, not {_type_name(v)}")
    return v


def _unknown(d: Mapping, allowed: set[str], w: _Where, prefix: str = "") -> None:
    for k in d:
        if k not in allowed:
            raise w.err(prefix + k, f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _number(v: Any, key: str, w: _Where, positive: bool = True) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise w.err(key, f"must be a number, not {_type_name(v)}")
    if v < 0 or (positive and v == 0):
        raise w.err(key, f"must be {'greater than 0' if positive else '0 or more'}, not {v}")
    return float(v)


def _transport(d: Mapping, base: TransportSettings, w: _Where, prefix: str = "") -> TransportSettings:
    changes: dict[str, Any] = {}
    for key in _TRANSPORT_KEYS & d.keys():
        v, name = d[key], prefix + key
        if key in ("connect_timeout", "read_timeout"):
            changes[key] = _number(v, name, w)
        elif key == "backoff":
            changes[key] = _number(v, name, w, positive=False)
        elif key in ("retries", "max_response_bytes"):
            if isinstance(v, bool) or not isinstance(v, int):
                raise w.err(name, f"must be an integer, not {_type_name(v)}")
            if v < 0 or (key == "max_response_bytes" and v < 1024):
                raise w.err(name, f"out of range: {v}" + (" (at least 1024)" if key == "max_response_bytes" else ""))
            if key == "retries" and v > 10:
                raise w.err(name, f"at most 10 retries, not {v}")
            changes[key] = v
        elif key == "rate_limit":
            if v is False or v == 0 or (isinstance(v, str) and v.strip().lower() == "unlimited"):
                changes[key] = None
            else:
                changes[key] = _number(v, name, w)
        elif key == "verify_tls":
            if isinstance(v, bool):
                changes[key] = v
            elif isinstance(v, str) and v.strip():
                ca = Path(v).expanduser()
                if not ca.is_absolute() and w.source and Path(w.source).parent:
                    ca = Path(w.source).parent / ca
                if not ca.exists():
                    raise w.err(name, f"CA bundle {str(ca)!r} does not exist")
                changes[key] = str(ca)
            else:
                raise w.err(name, f"must be true, false or the path of a CA bundle, not {_type_name(v)}")
        elif key == "user_agent":
            s = _str(d, key, w, prefix)
            if any(c in s for c in "\r\n"):
                raise w.err(name, "must be one line")
            changes[key] = s
    return replace(base, **changes)


def _env(var: Any, key: str, w: _Where, environ: Mapping[str, str]) -> str:
    if not isinstance(var, str):
        raise w.err(key, f"must be the name of an environment variable (a string), not {_type_name(var)}")
    if not _ENV_NAME.match(var):
        raise w.err(key, f"{var!r} is not an environment variable name")
    value = environ.get(var)
    if value is None or value == "":
        raise w.err(key, f"environment variable {var} is not set")
    return value


def _credential(role: str, d: Any, w: _Where, prefix: str, environ: Mapping[str, str]) -> Credential:
    if role not in CREDENTIAL_ROLES:
        raise w.err(prefix.rstrip("."), f"unknown role {role!r} (known: {', '.join(CREDENTIAL_ROLES)})")
    if not isinstance(d, dict):
        raise w.err(prefix.rstrip("."), f"must be a table, not {_type_name(d)}")
    for k in d:
        if k in _LITERAL_SECRETS:
            raise w.err(prefix + k, f"credentials never live in files: name an environment "
                                    f"variable with {_literal_hint(k)} instead")
    _unknown(d, _CRED_KEYS, w, prefix)
    if "webExID" in d and "webExID_env" in d:
        raise w.err(prefix + "webExID", "give webExID or webExID_env, not both")
    webex_id = _str(d, "webExID", w, prefix)
    if "webExID_env" in d:
        webex_id = _env(d["webExID_env"], prefix + "webExID_env", w, environ)
    secrets = {}
    for attr, key in (("password", "password_env"), ("access_token", "access_token_env"),
                      ("session_ticket", "session_ticket_env")):
        if key in d:
            secrets[attr] = _env(d[key], prefix + key, w, environ)
    if role == "access-token":
        if "access_token" not in secrets:
            raise w.err(prefix + "access_token_env", "the access-token role needs access_token_env")
    else:
        if not webex_id:
            raise w.err(prefix + "webExID_env", f"the {role} role needs webExID_env (or webExID)")
        if not secrets:
            raise w.err(prefix + "password_env",
                        "needs password_env, session_ticket_env or access_token_env")
    return Credential(webex_id, **secrets)


def _literal_hint(key: str) -> str:
    base = {"accessToken": "access_token", "sessionTicket": "session_ticket", "token": "access_token"}
    return f"{base.get(key, key)}_env"


def _credentials(d: Mapping, w: _Where, prefix: str, environ: Mapping[str, str]) -> dict[str, Credential]:
    table = _table(d, "credentials", w, prefix)
    return {role: _credential(role, c, w, f"{prefix}credentials.{role}.", environ)
            for role, c in table.items()}


def _site(d: Any, name: str, w: _Where, environ: Mapping[str, str]) -> SiteAccess:
    prefix = f"sites.{name}."
    if name not in _EXTRA_SITES:
        raise w.err(f"sites.{name}", f"unknown site (known: {', '.join(_EXTRA_SITES)}; "
                                     f"the main site is configured in the target itself)")
    if not isinstance(d, dict):
        raise w.err(f"sites.{name}", f"must be a table, not {_type_name(d)}")
    _unknown(d, _SITE_KEYS, w, prefix)
    return SiteAccess(_str(d, "site_name", w, prefix, required=True),
                      _id_value(d, "site_id", w, prefix), _str(d, "partner_id", w, prefix),
                      _credentials(d, w, prefix, environ))


def _id_value(d: Mapping, key: str, w: _Where, prefix: str) -> str | None:
    v = d.get(key)
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return _str(d, key, w, prefix)


def _flatten(d: Mapping, w: _Where, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, w, key + "."))
            continue
        if not _VALUE_KEY.match(key):
            raise w.err(f"values.{key}", "a value name is dotted words, e.g. sessions.pmr")
        if isinstance(v, bool) or not isinstance(v, (str, int)):
            raise w.err(f"values.{key}", f"must be a string, not {_type_name(v)}")
        out[key] = str(v)
    return out


def _endpoint(d: Mapping, w: _Where) -> str:
    url = _str(d, "endpoint", w, required=True)
    try:
        parts = urlsplit(url)
        parts.port  # raises ValueError for a port out of range
    except ValueError as exc:
        raise w.err("endpoint", f"not a valid URL ({exc}): {url!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise w.err("endpoint", f"must be an http(s) URL such as "
                                f"https://SITE.webex.com/WBXService/XMLService, not {url!r}")
    if parts.username or parts.password:
        raise w.err("endpoint", "must not carry a user or password")
    return url


def validate_endpoint(url: str, source: str = "command line") -> str:
    """``url`` if it is an http(s) XML API endpoint, else ConfigError naming ``source``."""
    return _endpoint({"endpoint": url}, _Where(source))


def _version(d: Mapping, w: _Where) -> Version | None:
    text = d.get("version", "auto")
    if not isinstance(text, str):
        raise w.err("version", f"must be a string ('auto' or e.g. '42.6.0'), not {_type_name(text)}")
    if text.strip().lower() == "auto":
        return None
    try:
        v = parse_version(text)
        documented_at_or_below(v)  # older than 11.0.0 SP10: nothing documented to judge it by
    except VersionError as exc:
        raise w.err("version", f"{exc} (or 'auto' to ask the server)") from None
    return v


def _fixtures(d: Mapping, w: _Where) -> set[str]:
    table = _table(d, "fixtures", w)
    _unknown(table, {"provides"}, w, "fixtures.")
    provides = table.get("provides", [])
    if not isinstance(provides, list):
        raise w.err("fixtures.provides", f"must be a list of fixture names, not {_type_name(provides)}")
    out = set()
    for i, name in enumerate(provides):
        if not isinstance(name, str) or name not in FIXTURES:
            raise w.err(f"fixtures.provides[{i}]",
                        f"unknown fixture {name!r} (known: {', '.join(FIXTURES)})")
        out.add(name)
    return out


def _default_values(sites: Mapping[str, SiteAccess]) -> dict[str, str]:
    """Placeholder values that follow from the sites themselves (explicit values win)."""
    out: dict[str, str] = {}
    main = sites["main"]
    out["site.name"] = main.site_name
    if main.site_id:
        out["site.id"] = main.site_id
    if main.partner_id:
        out["site.partnerID"] = main.partner_id
    for role, key in ROLE_USER.items():
        cred = main.credentials.get(role)
        if cred is not None and cred.webex_id:
            out[f"users.{key}.webExID"] = cred.webex_id
    for site, access in sites.items():
        if site != "main":
            out[f"sites.{site}.name"] = access.site_name
    return out


def _target(d: Any, index: int, base: TransportSettings, source: str, config_dir: Path,
            environ: Mapping[str, str], seen: set[str],
            safety: tuple[SafetySettings, list[str]] = (SafetySettings(), [])) -> Target:
    w = _Where(source, None)
    if not isinstance(d, dict):
        raise w.err(f"target[{index}]", f"must be a table, not {_type_name(d)}")
    name = d.get("name")
    if not isinstance(name, str) or not name.strip():
        raise w.err(f"target[{index}].name", "missing: every [[target]] needs a name")
    name = name.strip()
    if not re.match(r"^[A-Za-z0-9][\w.-]*$", name):
        raise w.err(f"target[{index}].name", f"{name!r}: use letters, digits, '.', '_' and '-'")
    if name in seen:
        raise w.err(f"target[{index}].name", f"duplicate target name {name!r}")
    seen.add(name)
    w = _Where(source, name)
    _unknown(d, _TARGET_KEYS, w)
    endpoint = _endpoint(d, w)
    version = _version(d, w)
    transport = _transport(d, base, w)
    main = SiteAccess(_str(d, "site_name", w, required=True), _id_value(d, "site_id", w, ""),
                      _str(d, "partner_id", w), _credentials(d, w, "", environ))
    sites = {"main": main}
    for site_name, site in _table(d, "sites", w).items():
        sites[site_name] = _site(site, site_name, w, environ)
    provides = _fixtures(d, w)
    for site_name, fixture in SITE_FIXTURES.items():
        if site_name in sites:
            provides.add(fixture)
        elif fixture in provides:
            raise w.err("fixtures.provides", f"{fixture!r} needs a [target.sites.{site_name}] table")
    if "access-token" in main.credentials:
        provides.add("access-token")
    elif "access-token" in provides:
        raise w.err("fixtures.provides", "'access-token' needs [target.credentials.access-token]")
    values = _default_values(sites)
    values.update(_flatten(_table(d, "values", w), w))
    schema_dir = None
    if "schema_dir" in d:
        raw = _str(d, "schema_dir", w)
        schema_dir = Path(raw).expanduser()
        if not schema_dir.is_absolute():
            schema_dir = (config_dir / schema_dir).resolve()
        if not schema_dir.is_dir():
            raise w.err("schema_dir", f"{str(schema_dir)!r} is not a directory")
    settings = parse_safety(d, safety[0], w.err)
    if "production" not in d and production_host(urlsplit(endpoint).hostname, safety[1]):
        settings = replace(settings, production=True)
    return Target(name, endpoint, version, sites, frozenset(provides), values, transport, schema_dir,
                  safety=settings)


def load_config(path: Path | str, environ: Mapping[str, str] | None = None) -> list[Target]:
    """Every ``[[target]]`` of a ``webex-conformance.toml``, credentials read from the environment."""
    path = Path(path)
    source = str(path)
    env = os.environ if environ is None else environ
    data = _read_toml(path)
    w = _Where(source)
    _unknown(data, {"defaults", "target", "run", "safety"}, w)
    run_settings(path, data)
    defaults = _table(data, "defaults", w)
    _unknown(defaults, _TRANSPORT_KEYS, w, "defaults.")
    base = _transport(defaults, TransportSettings(), w, "defaults.")
    raw_targets = data.get("target", [])
    if not isinstance(raw_targets, list):
        raise w.err("target", "must be an array of tables: write [[target]], not [target]")
    if not raw_targets:
        raise w.err("target", "no [[target]] table: nothing to test")
    seen: set[str] = set()
    safety = _safety_defaults(data, w)
    return [_target(t, i, base, source, path.parent, env, seen, safety) for i, t in enumerate(raw_targets)]


def _safety_defaults(data: Mapping, w: _Where) -> tuple[SafetySettings, list[str]]:
    """The top-level ``[safety]`` table: defaults for every target and production host patterns."""
    table = _table(data, "safety", w)
    _unknown(table, TOP_KEYS, w, "safety.")
    hosts = table.get("production_hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h.strip() for h in hosts):
        raise w.err("safety.production_hosts", "must be a list of host patterns such as \"*.webex.com\"")
    return parse_safety(table, SafetySettings(), w.err, "safety."), [h.strip() for h in hosts]


def _read_toml(path: Path) -> dict:
    source = str(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{source}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {' '.join(str(exc).split())}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source}: cannot read: {' '.join(str(exc).split())}") from None


_RUN_KEYS = {"min_checks", "fail_on_skip"}


def run_settings(path: Path | str, data: dict | None = None) -> dict[str, Any]:
    """The ``[run]`` table: when a run counts as judged (``min_checks``, ``fail_on_skip``);
    the command-line options --min-checks and --fail-on-skip override it."""
    path = Path(path)
    w = _Where(str(path))
    table = _table(_read_toml(path) if data is None else data, "run", w)
    _unknown(table, _RUN_KEYS, w, "run.")
    out: dict[str, Any] = {}
    if "min_checks" in table:
        v = table["min_checks"]
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise w.err("run.min_checks", f"must be a whole number, 0 or more, not {v!r}")
        out["min_checks"] = v
    if "fail_on_skip" in table:
        if not isinstance(table["fail_on_skip"], bool):
            raise w.err("run.fail_on_skip", f"must be true or false, not {_type_name(table['fail_on_skip'])}")
        out["fail_on_skip"] = table["fail_on_skip"]
    return out


# ---------------------------------------------------------------- command-line targets

# role -> (ID variable, password variable) read by target_from_options.
OPTION_ENV: dict[str, tuple[str, str]] = {
    "site-admin": ("WEBEX_ADMIN_ID", "WEBEX_ADMIN_PASSWORD"),
    "host": ("WEBEX_HOST_ID", "WEBEX_HOST_PASSWORD"),
    "attendee": ("WEBEX_ATTENDEE_ID", "WEBEX_ATTENDEE_PASSWORD"),
}


def target_from_options(endpoint: str, version: str | Version | None = None,
                        site_name: str | None = None, *, name: str | None = None,
                        site_id: str | None = None, partner_id: str | None = None,
                        provides: Iterable[str] = (), values: Mapping[str, str] | None = None,
                        transport: TransportSettings | None = None,
                        schema_dir: Path | str | None = None,
                        environ: Mapping[str, str] | None = None) -> Target:
    """A target for ``--endpoint URL``: credentials from WEBEX_* environment variables.

    WEBEX_SITE_NAME (unless ``site_name`` is given), WEBEX_ADMIN_ID/WEBEX_ADMIN_PASSWORD,
    WEBEX_HOST_ID/WEBEX_HOST_PASSWORD, WEBEX_ATTENDEE_ID/WEBEX_ATTENDEE_PASSWORD and
    WEBEX_ACCESS_TOKEN.  A pair half set is an error; an unset pair means no such role.
    """
    env = os.environ if environ is None else environ
    w = _Where("command line")
    d: dict[str, Any] = {"endpoint": endpoint}
    url = _endpoint(d, w)
    if isinstance(version, Version):
        ver: Version | None = version
    else:
        ver = _version({"version": version or "auto"}, w)
    site = site_name or env.get("WEBEX_SITE_NAME")
    if not site or not site.strip():
        raise w.err("site name", "no site name: set WEBEX_SITE_NAME or pass the site name")
    creds: dict[str, Credential] = {}
    for role, (id_var, pw_var) in OPTION_ENV.items():
        wid, pw = env.get(id_var) or None, env.get(pw_var) or None
        if wid and pw:
            creds[role] = Credential(wid, password=pw)
        elif wid or pw:
            missing = pw_var if wid else id_var
            raise w.err(missing, f"{id_var if wid else pw_var} is set but {missing} is not")
    token = env.get("WEBEX_ACCESS_TOKEN") or None
    if token:
        creds["access-token"] = Credential(None, access_token=token)
    provided = set()
    for f in provides:
        if f not in FIXTURES:
            raise w.err("fixture", f"unknown fixture {f!r} (known: {', '.join(FIXTURES)})")
        provided.add(f)
    if token:
        provided.add("access-token")
    main = SiteAccess(site.strip(), site_id, partner_id, creds)
    sites = {"main": main}
    vals = _default_values(sites)
    vals.update({k: str(v) for k, v in (values or {}).items()})
    sd = Path(schema_dir) if schema_dir is not None else None
    if sd is not None and not sd.is_dir():
        raise w.err("schema dir", f"{str(sd)!r} is not a directory")
    host = urlsplit(url).hostname or "endpoint"
    return Target(name or host, url, ver, sites, frozenset(provided), vals,
                  transport or TransportSettings(), sd)
