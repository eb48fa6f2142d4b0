"""A non-embedded reference server for the write-safety end-to-end tests: a ``serve``
process, a configuration file for it, and the views of what it holds and was asked."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from conformance.cases import FIXTURES

# Bookkeeping a run changes without changing what the site holds: login times, modification
# stamps (a restore writes the old value back, at a new time), mails sent, id counters.
VOLATILE_COLUMNS = {"last_login", "last_modified", "modified"}
VOLATILE_TABLES = {"outbox", "counters", "captchas", "meta", "tokens"}


def _emptied(v: Any) -> Any:
    """A stored JSON value with emptied fields dropped: the XML API can set an element that
    was absent back to empty, never remove it, so after a restore "" or {} means absent."""
    if isinstance(v, dict):
        out = {k: _emptied(x) for k, x in v.items()}
        return {k: x for k, x in out.items() if x not in ("", {}, [], None)}
    return v


def _json_column(v: Any) -> Any:
    if isinstance(v, str) and v[:1] in "{[":
        try:
            return _emptied(json.loads(v))
        except ValueError:
            return v
    return v


def key_values(objects: dict[str, list[str]]) -> set[str]:
    """Every scalar a snapshot holds, as text: no key of the site's own may be deleted."""
    out: set[str] = set()
    for rows in objects.values():
        for row in rows:
            for v in json.loads(row).values():
                if isinstance(v, (str, int)) and not isinstance(v, bool) and str(v).strip():
                    out.add(str(v).strip().lower())
    return out


# Steps of the small cases the safety tests write: a create, a change of the site, a setup
# step that fails, a judged step on the meeting created.
CREATE = '''
[[step]]
name = "create"
api = "meeting.CreateMeeting"
role = "host"
body = """<accessControl><meetingPassword>Cf4711xy</meetingPassword></accessControl>
<metaData><confName>undo ${run.unique}</confName></metaData>
<schedule><startDate>${date:7}</startDate><duration>60</duration><timeZoneID>4</timeZoneID></schedule>"""
capture = { key = "//meet:meetingkey" }
'''
SETSITE = '''
[[step]]
name = "change the site"
api = "site.SetSite"
role = "site-admin"
body = "<videoMeshInterclusters><videoMeshHomeCluster1>u-${run.unique}</videoMeshHomeCluster1></videoMeshInterclusters>"
'''
FAILING_SETUP = '''
[[step]]
name = "fails"
api = "meeting.GetMeeting"
role = "host"
body = "<meetingKey>1</meetingKey>"
'''
JUDGED = '''
[[step]]
api = "meeting.GetMeeting"
role = "host"
body = "<meetingKey>${key}</meetingKey>"
[[step.expect]]
versions = "all"
result = "SUCCESS"
'''


class ServeProcess:
    def __init__(self, tmp: Path, version: str = "42.6.0", defects: tuple[str, ...] = ()):
        args = [sys.executable, "-m", "conformance.cli", "serve", "--api-version", version, "--port", "0",
                "--test-paths"]
        for d in defects:
            args += ["--defect", d]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.info = json.loads(self.proc.stdout.readline())
        self.base = self.info["url"].rsplit("/WBXService", 1)[0]
        self.version = version
        self.env = {"REF_ADMIN_PW": self.info["accounts"]["admin"]["password"],
                    "REF_HOST_PW": self.info["accounts"]["host"]["password"],
                    "REF_ATT_PW": self.info["accounts"]["attendee"]["password"],
                    "REF_TOKEN": self.info["accessToken"]}
        self.config = tmp / "webex-conformance.toml"
        self.config.write_text(self._config(), encoding="utf-8")

    def _creds(self, prefix: str) -> str:
        acc = self.info["accounts"]
        return "".join(f'''
[{prefix}credentials.{role}]
webExID = "{acc[key]['webExID']}"
password_env = "{env}"
''' for role, key, env in (("site-admin", "admin", "REF_ADMIN_PW"), ("host", "host", "REF_HOST_PW"),
                            ("attendee", "attendee", "REF_ATT_PW"))) + f'''
[{prefix}credentials.access-token]
access_token_env = "REF_TOKEN"
'''

    def _config(self) -> str:
        sites = self.info["sites"]
        text = f'''[[target]]
name = "refserve"
endpoint = "{self.info['url']}"
version = "{self.version}"
site_name = "{sites['main']['siteName']}"
rate_limit = "unlimited"
retries = 0
[target.fixtures]
provides = {json.dumps(sorted(set(FIXTURES) - {"suspended-site", "control-hub-site", "auto-record-site", "access-token"}))}
[target.values]
''' + "".join(f'"{k}" = {json.dumps(v)}\n' for k, v in sorted(self.info["values"].items()))
        text += self._creds("target.")
        for key in ("suspended", "control-hub", "auto-record"):
            text += f'\n[target.sites.{key}]\nsite_name = "{sites[key]["siteName"]}"\n'
            text += self._creds(f"target.sites.{key}.")
        return text

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.base + path, timeout=10) as r:
            return json.loads(r.read())

    def objects(self) -> dict[str, list[dict]]:
        """What the site holds, without the bookkeeping (VOLATILE_*)."""
        out = {}
        for table, rows in self.get("/_test/objects").items():
            if table in VOLATILE_TABLES:
                continue
            clean = []
            for row in rows:
                row = {k: _json_column(v) for k, v in row.items() if k not in VOLATILE_COLUMNS}
                clean.append(json.dumps(row, sort_keys=True))
            out[table] = sorted(clean)
        return out

    def calls(self) -> list[dict[str, str]]:
        return self.get("/_test/calls")

    def run_env(self) -> dict[str, str]:
        return {**os.environ, **self.env}

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
