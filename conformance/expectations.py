"""The expectations file: failures a release accepts, each owned and each with an end date.

A gate that can be silenced for good stops meaning anything, so every accepted failure
names a reason, a link (the ticket), an owner and an expiry date.  This module only loads
and checks the file; whether an entry is expired, used or stale is the gate's decision
(``conformance.gate_decision``), made against a given day.

```toml
[[accepted]]
case = "createmeeting-confname-128"        # required: a case id (or boundary/<limit-id>)
check = "equals"                           # optional: only failures of this verdict check, named
                                           # exactly ("equals://ep:apiVer") or by kind ("equals")
versions = ">= 42.1.0, < 42.6.0"           # optional: only at these API versions
target = "staging"                         # optional: only on this target
reason = "site still on the old limit"     # required
link = "https://tracker.example/REL-42"    # required
owner = "release-eng"                      # required
expires = 2027-03-31                       # required: a TOML date or "YYYY-MM-DD"
```
"""
from __future__ import annotations

import datetime as _dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Collection

from .errors import ResultsFileError
from .results import CaseResult, read_text
from .versions import VersionError, VersionRange, parse_version

__all__ = ["ExpectationsError", "Accepted", "load_expectations", "parse_expectations"]

_REQUIRED = ("case", "reason", "link", "owner", "expires")
_OPTIONAL = ("check", "versions", "target")


class ExpectationsError(ResultsFileError):
    """An expectations file that cannot be used (names the file and the entry)."""
    kind = "expectations-file"


@dataclass(frozen=True)
class Accepted:
    """One accepted failure; ``where`` names it in messages (file, entry number, case)."""
    case: str
    reason: str
    link: str
    owner: str
    expires: _dt.date
    where: str
    check: str | None = None
    versions: VersionRange | None = None
    target: str | None = None

    def matches(self, record: CaseResult) -> bool:
        """Same case, and (when given) same target and a version in range."""
        if record.case_id != self.case or (self.target is not None and record.target != self.target):
            return False
        if self.versions is None:
            return True
        try:
            return parse_version(record.version) in self.versions
        except VersionError:
            return False

    def expired(self, today: _dt.date) -> bool:
        """Valid through its expiry date; from the next day on it no longer accepts anything."""
        return today > self.expires

    def to_dict(self) -> dict[str, Any]:
        return {"case": self.case, "check": self.check, "versions": None if self.versions is None else str(self.versions),
                "target": self.target, "reason": self.reason, "link": self.link, "owner": self.owner,
                "expires": self.expires.isoformat(), "where": self.where}


def _date(value: Any, where: str) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ExpectationsError(f"{where}: expires {value!r} is not a date (write YYYY-MM-DD)")


def _entry(raw: Any, where: str, known_cases: Collection[str] | None) -> Accepted:
    if not isinstance(raw, dict):
        raise ExpectationsError(f"{where}: an entry must be a table ([[accepted]])")
    case = raw.get("case")
    if isinstance(case, str) and case:
        where = f"{where} ({case})"
    unknown = sorted(set(raw) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise ExpectationsError(f"{where}: unknown key(s) {', '.join(unknown)} "
                                f"(known: {', '.join(_REQUIRED + _OPTIONAL)})")
    for key in _REQUIRED:
        if key not in raw:
            raise ExpectationsError(f"{where}: missing required key {key!r}")
    for key in ("case", "reason", "link", "owner", *_OPTIONAL):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            raise ExpectationsError(f"{where}: {key} must be a non-empty string")
    if known_cases is not None and case not in known_cases:
        raise ExpectationsError(f"{where}: unknown case id {case!r} (see `webex-conformance list`)")
    versions = None
    if "versions" in raw:
        try:
            versions = VersionRange.parse(raw["versions"])
        except VersionError as exc:
            raise ExpectationsError(f"{where}: versions: {exc}") from None
    return Accepted(case=case, reason=raw["reason"], link=raw["link"], owner=raw["owner"],
                    expires=_date(raw["expires"], where), where=where, check=raw.get("check"),
                    versions=versions, target=raw.get("target"))


def parse_expectations(text: str, name: str, known_cases: Collection[str] | None = None) -> list[Accepted]:
    """Entries of an expectations file's text; ``known_cases`` (when given) rejects unknown ids."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ExpectationsError(f"{name}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"accepted"})
    if unknown:
        raise ExpectationsError(f"{name}: unknown top-level key(s) {', '.join(unknown)} (expected [[accepted]] entries)")
    entries = data.get("accepted", [])
    if not isinstance(entries, list):
        raise ExpectationsError(f"{name}: accepted must be an array of tables ([[accepted]])")
    return [_entry(raw, f"{name}: accepted[{i}]", known_cases) for i, raw in enumerate(entries)]


def load_expectations(path: Path | str, known_cases: Collection[str] | None = None) -> list[Accepted]:
    """Read and check an expectations file; every problem is one line naming file and entry."""
    path = Path(path)
    return parse_expectations(read_text(path, "expectations file", ExpectationsError), str(path), known_cases)
