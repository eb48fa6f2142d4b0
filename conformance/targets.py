"""Decide what a run judges: which targets, at which versions, and how we know the version.

Used by the pytest plugin and the CLI alike.  A target comes from ``--endpoint`` (with
credentials from WEBEX_* environment variables), from ``webex-conformance.toml``, or is
the embedded reference server (one per requested version).  A target without a given
version is asked (GetAPIVersion) and the answer is reported with how it was obtained.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from . import errors
from .config import (ConfigError, Credential, SiteAccess, Target, TransportSettings, load_config,
                     target_from_options, validate_endpoint)
from .detect import DetectError, detect_version
from .embedded import EmbeddedServers
from .transport import EndpointUnreachable, Transport
from .masking import mask
from .safety_settings import from_json as safety_from_json, to_json as safety_json
from .versions import (ALL_VERSIONS, LATEST, Version, VersionError, documented, documented_at_or_below,
                       parse_version)

__all__ = ["TargetRun", "resolve", "check_reachable", "Unreachable", "to_json", "from_json"]


# The endpoint could not be reached at all (exit code 3); one class for the whole suite.
Unreachable = errors.Unreachable


@dataclass(frozen=True)
class TargetRun:
    target: Target
    version: Version
    how: str                  # "given", "embedded reference server", or the detection text
    config_path: str | None = None   # the configuration file the target came from, if any

    @property
    def label(self) -> str:
        return f"{self.target.name}@{self.version}" if not self.target.embedded else str(self.version)


def resolve(*, endpoint: str | None, versions: Iterable[str], config_path: Path | None,
            target_names: Iterable[str] = (), schema_dir: Path | None = None,
            servers: EmbeddedServers | None = None, default_all_versions: bool = False,
            site_name: str | None = None) -> list[TargetRun]:
    """The (target, version) pairs of a run; raises ConfigError, Unreachable or DetectError."""
    try:
        wanted = [parse_version(v) for v in versions]
        for v in wanted:
            documented_at_or_below(v)  # older than 11.0.0 SP10: nothing documented to judge by
    except VersionError as exc:
        raise ConfigError(f"--api-version: {exc}") from None
    if schema_dir is not None and not Path(schema_dir).is_dir():
        raise ConfigError(f"--schema-dir: {str(schema_dir)!r} is not a directory")
    target_names = list(target_names)
    if target_names and config_path is None:
        raise ConfigError("--target selects a target of a configuration file: give one with --config")
    if site_name and not endpoint and config_path is None:
        raise ConfigError("--site-name goes with --endpoint or a configuration file")
    runs: list[TargetRun] = []
    if endpoint and config_path is None:
        target = target_from_options(endpoint, None, site_name, schema_dir=schema_dir)
        runs += _versions_of(target, wanted)
    elif config_path is not None:
        targets = load_config(config_path)
        names = target_names
        unknown = [n for n in names if n not in {t.name for t in targets}]
        if unknown:
            raise ConfigError(f"{config_path}: no target named {unknown[0]!r} "
                              f"(targets: {', '.join(t.name for t in targets)})")
        for t in targets:
            if names and t.name not in names:
                continue
            t = _override(t, endpoint, site_name, schema_dir)
            runs += [dataclasses.replace(r, config_path=str(config_path)) for r in _versions_of(t, wanted)]
    else:
        if servers is None:
            raise ConfigError("no endpoint, no configuration and no embedded servers")
        try:
            chosen = [documented(v) for v in wanted]
        except VersionError as exc:
            raise ConfigError(f"--api-version: {exc}") from None
        if not chosen:
            chosen = list(ALL_VERSIONS) if default_all_versions else [LATEST]
        servers.prepare(chosen)  # every version's server starts at once
        for v in chosen:
            t = servers.target(v)
            if schema_dir is not None:
                t = dataclasses.replace(t, schema_dir=schema_dir)
            runs.append(TargetRun(t, v, "embedded reference server emulating this version"))
    return runs


def _override(t: Target, endpoint: str | None, site_name: str | None, schema_dir: Path | None) -> Target:
    """Command-line options win over the configuration file (credentials and fixtures stay)."""
    if endpoint:
        t = dataclasses.replace(t, endpoint=validate_endpoint(endpoint, "--endpoint"))
    if site_name:
        main = dataclasses.replace(t.sites["main"], site_name=site_name)
        values = {**t.values, "site.name": site_name}
        t = dataclasses.replace(t, sites={**t.sites, "main": main}, values=values)
    if schema_dir is not None:
        t = dataclasses.replace(t, schema_dir=schema_dir)
    return t


def _versions_of(target: Target, wanted: list[Version]) -> list[TargetRun]:
    if wanted:
        return [TargetRun(target, v, "given on the command line") for v in wanted]
    if target.version is not None:
        return [TargetRun(target, target.version, "given in the configuration")]
    secrets = target.secrets()
    with Transport(target.transport) as transport:
        try:
            version, how = detect_version(transport, target)
        except EndpointUnreachable as exc:
            raise Unreachable(mask(f"target {target.name!r}: endpoint unreachable: {exc}", secrets)) from None
        except DetectError as exc:  # the server's own words may echo a credential
            raise DetectError(mask(f"target {target.name!r}: {exc}", secrets)) from None
    try:
        documented_at_or_below(version)
    except VersionError as exc:
        raise DetectError(f"target {target.name!r} reports {version} ({how}): {exc}") from None
    return [TargetRun(target, version, f"detected: {how}")]


def check_reachable(runs: Iterable[TargetRun]) -> None:
    """Raise Unreachable unless every real endpoint answers at all.

    A target whose version was given (not detected) has not been contacted yet; without
    this, a closed port with missing credentials reads as "every case skipped", not as
    the unreachable endpoint it is.  One anonymous GetAPIVersion per endpoint: it reads
    nothing and changes nothing; any HTTP answer counts as reachable.
    """
    from .detect import GET_API_VERSION_BODY
    from .envelope import EnvelopeError, build_envelope
    from .transport import TransportError

    seen: set[str] = set()
    for run in runs:
        t = run.target
        if t.embedded or t.endpoint in seen or run.how.startswith("detected"):
            continue
        seen.add(t.endpoint)
        main = t.sites.get("main")
        try:
            request = build_envelope("ep", "GetAPIVersion", GET_API_VERSION_BODY, None,
                                     main.site_name if main else None, None, None)
        except EnvelopeError:
            continue
        with Transport(t.transport) as transport:
            try:
                transport.send(t.endpoint, request, idempotent=True)
            except EndpointUnreachable as exc:
                raise Unreachable(mask(f"target {t.name!r}: endpoint unreachable: {exc}", t.secrets())) from None
            except TransportError:
                pass   # it answered, if oddly: the cases will say how


# ------------------------------------------------------------- passing runs to xdist workers

def to_json(run: TargetRun) -> dict[str, Any]:
    """A TargetRun as plain data (in-memory, for pytest-xdist workers only; holds secrets)."""
    t = run.target
    return {
        "version": str(run.version), "how": run.how, "config_path": run.config_path,
        "target": {
            "name": t.name, "endpoint": t.endpoint, "version": str(t.version) if t.version else None,
            "sites": {k: {"site_name": s.site_name, "site_id": s.site_id, "partner_id": s.partner_id,
                          "credentials": {r: dataclasses.asdict(c) for r, c in s.credentials.items()}}
                      for k, s in t.sites.items()},
            "provides": sorted(t.provides), "values": dict(t.values),
            "transport": dataclasses.asdict(t.transport),
            "schema_dir": str(t.schema_dir) if t.schema_dir else None, "embedded": t.embedded,
            "safety": safety_json(t.safety),
        },
    }


def from_json(data: dict[str, Any]) -> TargetRun:
    t = data["target"]
    sites = {k: SiteAccess(s["site_name"], s["site_id"], s["partner_id"],
                           {r: Credential(**c) for r, c in s["credentials"].items()})
             for k, s in t["sites"].items()}
    target = Target(t["name"], t["endpoint"], parse_version(t["version"]) if t["version"] else None, sites,
                    frozenset(t["provides"]), dict(t["values"]), TransportSettings(**t["transport"]),
                    Path(t["schema_dir"]) if t["schema_dir"] else None, t["embedded"],
                    safety=safety_from_json(t.get("safety")))
    return TargetRun(target, parse_version(data["version"]), data["how"], data.get("config_path"))
