"""Failing boundary examples as standalone files, and ``webex-conformance replay`` for them.

Each kept failure is saved under ``<output>/boundary/<limit>/<version>/`` as the exact
request envelope (``.xml``, credentials masked as ``***``), a sidecar (``.json``: limit,
version, API, role, scenario) and a shell file (``.sh``) with the one-line
``webex-conformance replay`` command and an equivalent ``curl --data-binary @file``, so the
failure can be reproduced without the suite (put the role's password where ``***`` is).
"""
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

from .boundary_inputs import value_to_json
from .boundary_run import Failure
from .limits import Limit
from .masking import mask

__all__ = ["save_failure", "commands", "replay_request"]

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _name(label: str, api: str, phase: str) -> str:
    return _SAFE.sub("_", f"{phase}-{label}-{api.split('.')[-1]}").strip("_")


def commands(limit: Limit, version_slug: str, request_file: Path, endpoint: str, embedded: bool) -> tuple[str, str]:
    """(replay, curl): one line each that re-send the saved request."""
    f = shlex.quote(str(request_file))
    replay = f"webex-conformance replay {limit.test_id} --request {f} --api-version {version_slug}"
    url = "http://127.0.0.1:8080/WBXService/XMLService" if embedded else endpoint
    if not embedded:
        replay += f" --endpoint {shlex.quote(endpoint)}"
    curl = (f"curl -sS -H 'Content-Type: text/xml; charset=UTF-8' --data-binary @{f} {shlex.quote(url)}")
    return replay, curl


def save_failure(out_dir: Path, limit: Limit, version_slug: str, failure: Failure, endpoint: str,
                 embedded: bool, secrets: list[str], defects: tuple[str, ...] = ()) -> str:
    """Write the failure's request, sidecar and commands; returns the request file's path."""
    where = Path(out_dir) / "boundary" / limit.id / version_slug
    where.mkdir(parents=True, exist_ok=True)
    stem = where / _name(failure.label, failure.api, failure.phase)
    request = stem.with_suffix(".xml")
    request.write_text(mask(failure.request.decode("utf-8", "replace"), secrets), encoding="utf-8")
    role = failure.step.role if failure.step else "host"
    side = {"limit": limit.id, "version": version_slug, "api": failure.api, "role": role,
            "scenario": failure.label, "phase": failure.phase, "input_size": failure.size,
            "bound": failure.bound, "expected": failure.expected, "actual": failure.actual,
            "value": value_to_json(limit, failure.value)}
    stem.with_suffix(".json").write_text(json.dumps(side, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    replay, curl = commands(limit, version_slug, request, endpoint, embedded)
    serve = ""
    if embedded:
        serve = (f"# the embedded server: start one first, e.g.\n#   webex-conformance serve --api-version "
                 f"{version_slug} --port 8080" + "".join(f" --defect {d}" for d in defects) + "\n")
    text = (f"# {limit.test_id} at {version_slug}: {failure.label} on {failure.api} ({failure.phase}, "
            f"size {failure.size}, bound {failure.bound})\n# expected {failure.expected}\n# got {failure.actual}\n"
            f"{serve}# the request's password is masked (***): put the {role}'s password in its place for curl\n"
            f"{replay}\n{curl}\n")
    stem.with_suffix(".sh").write_text(mask(text, secrets), encoding="utf-8")
    return str(request)


def replay_request(path: Path, run: Any) -> tuple[bytes, dict[str, Any]]:
    """The saved request with the run's credential in place of the mask, and its sidecar."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        side = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a saved boundary request (with its .json beside it): {exc}") from None
    cred = run.target.credential("main", side.get("role", "host"))
    if cred is not None and cred.password:
        text = re.sub(r"(<password>)\*\*\*(</password>)", lambda m: m[1] + cred.password + m[2], text)
    return text.encode("utf-8"), side
