"""Where a run's results came from, so a later reader can tell whether two runs compare.

A gate or a diff that compares a run with a baseline is only honest when both were judged
by the same suite with the same case and limit files, and when both runs finished.  This
module gathers those facts once, when the run's results.json is written: the suite's
version and commit, a digest of the case and limit files, the selection that narrowed the
run, and whether it completed.  It reads files and asks git; it never judges.
"""
from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any, Iterable, Sequence

from . import __version__

__all__ = ["PACKAGE_ROOT", "suite_info", "files_digest", "inputs_info", "selection_info",
           "run_provenance", "from_pytest_session", "stopped_itself", "COMPLETED", "INTERRUPTED", "STOPPED"]

PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # the checkout, or site-packages for a wheel

COMPLETED = "completed"      # every selected item ran
INTERRUPTED = "interrupted"  # Ctrl-C or a signal: some selected items never ran
STOPPED = "stopped"          # the run stopped itself early (-x, an unreachable endpoint)


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def suite_info(root: Path = PACKAGE_ROOT) -> dict[str, Any]:
    """The suite's version and, from a git checkout, its commit and whether it had local edits.

    An installed wheel has no checkout around it: ``source`` says "installed" and the
    commit is null, so nobody mistakes "unknown" for a commit.
    """
    info: dict[str, Any] = {"name": "webex-conformance", "version": __version__,
                            "source": "installed", "commit": None, "dirty": None}
    if not (root / ".git").exists():
        return info
    commit = _git(root, "rev-parse", "HEAD")
    if commit is None:
        return info
    status = _git(root, "status", "--porcelain", "--untracked-files=no", "--", "conformance", "cases", "limits")
    info.update(source="git", commit=commit, dirty=bool(status) if status is not None else None)
    return info


def files_digest(directory: Path | None, pattern: str = "*.toml") -> dict[str, Any]:
    """A SHA-256 over every matching file's relative path and bytes, in path order.

    Two runs with the same digest judged with the same case (or limit) files; a missing
    directory is recorded as such (``files`` 0, ``sha256`` null), not as an error.
    """
    if directory is None or not Path(directory).is_dir():
        return {"path": None if directory is None else str(directory), "files": 0, "sha256": None}
    directory = Path(directory)
    files = sorted(p for p in directory.rglob(pattern) if p.is_file())
    h = hashlib.sha256()
    for p in files:
        rel = p.relative_to(directory).as_posix()
        h.update(rel.encode("utf-8") + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return {"path": str(directory), "files": len(files), "sha256": h.hexdigest()}


def inputs_info(cases_dir: Path | None, limits_dir: Path | None = None) -> dict[str, Any]:
    """Digests of the case files and of the limit files (``limits/`` beside ``cases/``)."""
    if limits_dir is None and cases_dir is not None:
        limits_dir = Path(cases_dir).parent / "limits"
    return {"cases": files_digest(cases_dir), "limits": files_digest(limits_dir)}


def selection_info(*, keyword: str | None = None, markers: str | None = None,
                   versions: Sequence[str] = (), targets: Sequence[str] = (),
                   all_versions: bool = False, endpoint: str | None = None,
                   exitfirst: bool = False) -> dict[str, Any]:
    """What narrowed the run; ``filtered`` is true when -k or -m left cases out."""
    return {
        "keyword": keyword or None, "markers": markers or None,
        "versions": [str(v) for v in versions], "all_versions": bool(all_versions),
        "targets": list(targets), "endpoint": endpoint or None, "exitfirst": bool(exitfirst),
        "filtered": bool(keyword or markers),
    }


def run_provenance(*, cases_dir: Path | None, selection: dict[str, Any], status: str,
                   selected: int | None, ran: int, root: Path = PACKAGE_ROOT) -> dict[str, Any]:
    """The provenance keys of a run's info in results.json (see docs/RESULTS.md)."""
    return {
        "suite": suite_info(root),
        "inputs": inputs_info(cases_dir),
        "selection": selection,
        "status": status,
        "items": {"selected": selected, "ran": ran},
    }


def stopped_itself(session: Any) -> bool:
    """Whether an "interrupted" session really stopped itself.

    Under xdist, a run that stops itself (-x/--maxfail, a worker's shouldstop: an
    unreachable endpoint) reaches the controller as a KeyboardInterrupt; only xdist's
    DSession knows why, and a Ctrl-C on a worker says so in the same field.
    """
    dsession = session.config.pluginmanager.getplugin("dsession")
    why = getattr(dsession, "shouldstop", False)
    return isinstance(why, str) and bool(why) and "keyboard-interrupt" not in why


def _status(session: Any, exitstatus: int) -> str:
    import pytest
    if exitstatus == pytest.ExitCode.INTERRUPTED:
        return STOPPED if stopped_itself(session) else INTERRUPTED
    if session.shouldstop or session.shouldfail:
        return STOPPED
    return COMPLETED


def from_pytest_session(session: Any, exitstatus: int, cases_dir: Path | None,
                        ran: Iterable[Any]) -> dict[str, Any]:
    """Provenance of a finished pytest session (the plugin's writer calls this)."""
    opt = session.config.option
    selection = selection_info(
        keyword=getattr(opt, "keyword", None), markers=getattr(opt, "markexpr", None),
        versions=getattr(opt, "api_version", None) or (), targets=getattr(opt, "target", None) or (),
        all_versions=getattr(opt, "all_versions", False), endpoint=getattr(opt, "endpoint", None),
        exitfirst=bool(getattr(opt, "maxfail", 0)),
    )
    # Under xdist the controller collects nothing itself; testscollected is then the
    # workers' count, which is what was selected too.
    items = getattr(session, "items", None) or []
    selected = len(items) or getattr(session, "testscollected", None)
    return run_provenance(cases_dir=cases_dir, selection=selection, status=_status(session, exitstatus),
                          selected=selected, ran=len(list(ran)))
