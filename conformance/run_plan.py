"""What a run will do, decided once from the options: cases, targets and versions, the
embedded servers to start, where the reports go and when the run counts as judged.

The pytest plugin, ``run`` (through the plugin), ``replay`` and ``validate`` all start
here, so a target is resolved, a server started and an error mapped in one place.
Raises only ``errors.ConformanceError`` families (usage, config, unreachable).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .embedded import EMBEDDED_TRANSPORTS, WSGI, EmbeddedServers
from .errors import ConfigError, UsageError
from .masking import mask
from .targets import TargetRun, check_reachable, resolve
from .versions import Version, VersionError, parse_version

__all__ = ["RunPlan", "plan", "DEFAULT_MIN_CHECKS", "ROOT_CONFIG"]

DEFAULT_MIN_CHECKS = 1        # a run that judged nothing never passes
ROOT_CONFIG = "webex-conformance.toml"


@dataclass
class RunPlan:
    cases_dir: Path
    runs: list[TargetRun]
    servers: EmbeddedServers | None = None
    output: Path | None = None          # --output; None: a new directory under reports_base
    reports_base: Path = Path("reports")
    server_defects: tuple[str, ...] = ()
    config_path: Path | None = None
    min_checks: int = DEFAULT_MIN_CHECKS
    fail_on_skip: bool = False

    def secrets(self) -> list[str]:
        out: list[str] = []
        for r in self.runs:
            out += r.target.secrets()
        return out

    def context(self, run: TargetRun) -> Any:
        """The run context of one target run: in-process into an embedded server reached
        by WSGI, else over HTTP."""
        from .execute import context_for
        transport = self.servers.transport_for(run.target, run.version) if self.servers is not None else None
        return context_for(run.target, run.version, transport)

    def close(self) -> None:
        if self.servers is not None:
            self.servers.close()
            self.servers = None


def _opt(options: Any, name: str, default: Any = None) -> Any:
    value = getattr(options, name, default)
    return default if value is None else value


def cases_dir_of(options: Any, root: Path) -> Path:
    given = _opt(options, "cases_dir")
    cases_dir = Path(given).resolve() if given else (root / "cases").resolve()
    if given and not cases_dir.is_dir():
        raise UsageError(f"--cases-dir {given!r} is not a directory")
    return cases_dir


def config_path_of(options: Any, root: Path | None) -> Path | None:
    """--config, else (plain pytest at the root) the root's webex-conformance.toml, unless
    the embedded server was asked for explicitly (--all-versions, --server-defect)."""
    given = _opt(options, "conformance_config")
    if given:
        return Path(given)
    if (root is not None and not _opt(options, "endpoint") and not _opt(options, "server_defect")
            and not _opt(options, "all_versions") and (root / ROOT_CONFIG).is_file()):
        return root / ROOT_CONFIG
    return None


def plan(options: Any, *, root: Path, cwd: Path | None = None, root_config: bool = True,
         run_config: dict | None = None) -> RunPlan:
    """Resolve the options (an argparse namespace or pytest's ``config.option``) into a plan.

    Starts the embedded servers a run needs; the caller closes the plan.  ``run_config``
    holds the configuration file's ``[run]`` keys (min_checks, fail_on_skip), which the
    options override.
    """
    cases_dir = cases_dir_of(options, root)
    cfg = config_path_of(options, root if root_config else None)
    endpoint = _opt(options, "endpoint")
    defects = tuple(_opt(options, "server_defect", []))
    if defects and (endpoint or cfg is not None):
        raise ConfigError("--server-defect applies to the embedded reference server only (no --endpoint)")
    schema_dir = _opt(options, "schema_dir")
    run_config = run_config or {}
    min_checks = _opt(options, "min_checks", run_config.get("min_checks", DEFAULT_MIN_CHECKS))
    if min_checks < 0:
        raise UsageError(f"--min-checks {min_checks}: a number of checks, 0 or more")
    output = _opt(options, "conformance_output")
    how = _opt(options, "embedded_transport", WSGI)
    if how not in EMBEDDED_TRANSPORTS:
        raise UsageError(f"--embedded-transport {how!r}: one of {', '.join(EMBEDDED_TRANSPORTS)}")
    servers = EmbeddedServers(defects, transport=how) if not endpoint and cfg is None else None
    try:
        runs = resolve(endpoint=endpoint, versions=_opt(options, "api_version", []), config_path=cfg,
                       target_names=_opt(options, "target", []),
                       schema_dir=Path(schema_dir) if schema_dir else None, servers=servers,
                       default_all_versions=bool(_opt(options, "all_versions", False)),
                       site_name=_opt(options, "site_name"))
        check_reachable(runs)
    except BaseException:
        if servers is not None:
            servers.close()
        raise
    return RunPlan(cases_dir=cases_dir, runs=runs, servers=servers,
                   output=Path(output) if output else None,
                   reports_base=(cwd or Path.cwd()) / "reports", server_defects=defects, config_path=cfg,
                   min_checks=int(min_checks),
                   fail_on_skip=bool(_opt(options, "fail_on_skip", False) or run_config.get("fail_on_skip")))


def version_of(text: str, option: str = "--api-version") -> Version:
    """One version given on the command line (``validate``), as a usage error if it is not one."""
    try:
        return parse_version(text)
    except VersionError as exc:
        raise UsageError(f"{option}: {mask(str(exc), [])}") from None
