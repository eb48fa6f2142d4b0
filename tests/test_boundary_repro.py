"""Failure files: the masked request, its sidecar and the shell file with the replay and
curl lines; and the saved request read back with the credential in place of the mask."""
from __future__ import annotations

import json
import shlex
import types
from pathlib import Path

import pytest

from conformance.boundary_repro import commands, replay_request, save_failure
from conformance.boundary_run import Failure
from conformance.limits import load_limits
from conformance.results import StepRecord

ROOT = Path(__file__).resolve().parents[1]
LIMIT = next(lim for lim in load_limits(ROOT / "limits").limits if lim.id == "confname-128")
SECRET = "s3cret-Pw"
REQUEST = (f"<serv:message><header><securityContext><webExID>host</webExID><password>{SECRET}</password>"
           f"</securityContext></header><body><confName>{'a' * 129}</confName></body></serv:message>").encode()


def _failure(label="ABOVE_MAX", phase="search"):
    step = StepRecord(name=f"{phase} {label}", api="meeting.CreateMeeting", role="host", site="main",
                      request="", response="", verdicts=[])
    return Failure(label, phase, "meeting.CreateMeeting", 129, 128, "'aaa…' (129 code points)",
                   "refused: FAILURE 060065", "SUCCESS", REQUEST, step, "a" * 129)


def test_the_request_is_saved_masked_with_sidecar_and_commands(tmp_path):
    path = Path(save_failure(tmp_path, LIMIT, "42.6.0", _failure(), "http://127.0.0.1:5/WBXService/XMLService",
                             True, [SECRET], ("confname-limit-129",)))
    assert path == tmp_path / "boundary" / "confname-128" / "42.6.0" / "search-ABOVE_MAX-CreateMeeting.xml"
    text = path.read_text()
    assert SECRET not in text and "<password>***</password>" in text and "a" * 129 in text
    side = json.loads(path.with_suffix(".json").read_text())
    assert side == {**side, "limit": "confname-128", "version": "42.6.0", "api": "meeting.CreateMeeting",
                    "role": "host", "scenario": "ABOVE_MAX", "phase": "search", "input_size": 129, "bound": 128,
                    "value": "a" * 129}
    sh = path.with_suffix(".sh").read_text()
    assert SECRET not in sh
    lines = [x for x in sh.splitlines() if not x.startswith("#")]
    assert lines == [f"webex-conformance replay boundary/confname-128 --request {path} --api-version 42.6.0",
                     f"curl -sS -H 'Content-Type: text/xml; charset=UTF-8' --data-binary @{path} "
                     "http://127.0.0.1:8080/WBXService/XMLService"]
    assert "serve --api-version 42.6.0 --port 8080 --defect confname-limit-129" in sh


def test_file_names_are_safe_whatever_the_label(tmp_path):
    path = Path(save_failure(tmp_path, LIMIT, "42.6.0", _failure("MULTIBYTE_AT_MAX/emoji; rm -rf", "edge"),
                             "http://x/", True, []))
    assert path.name == "edge-MULTIBYTE_AT_MAX_emoji_rm_-rf-CreateMeeting.xml"
    assert path.parent == tmp_path / "boundary" / "confname-128" / "42.6.0"


def test_commands_for_a_real_endpoint_name_it_and_quote_paths(tmp_path):
    f = tmp_path / "with space" / "x.xml"
    replay, curl = commands(LIMIT, "42.6.0", f, "https://site.example/WBXService/XMLService?a=1&b=2", False)
    argv = shlex.split(replay)
    assert argv[:4] == ["webex-conformance", "replay", "boundary/confname-128", "--request"]
    assert argv[4] == str(f) and argv[-2:] == ["--endpoint", "https://site.example/WBXService/XMLService?a=1&b=2"]
    c = shlex.split(curl)
    assert c[0] == "curl" and f"@{f}" in c and c[-1] == "https://site.example/WBXService/XMLService?a=1&b=2"


def _run_with(password):
    cred = types.SimpleNamespace(password=password)
    return types.SimpleNamespace(target=types.SimpleNamespace(credential=lambda site, role: cred))


def test_replay_request_puts_the_credential_back(tmp_path):
    path = Path(save_failure(tmp_path, LIMIT, "42.6.0", _failure(), "http://x/", True, [SECRET]))
    data, side = replay_request(path, _run_with("new-Pw"))
    assert b"<password>new-Pw</password>" in data and b"***" not in data and side["api"] == "meeting.CreateMeeting"


@pytest.mark.parametrize("what", ["no sidecar", "bad sidecar", "missing"])
def test_replay_request_of_a_file_that_is_not_saved_is_a_one_line_error(tmp_path, what):
    path = tmp_path / "r.xml"
    if what != "missing":
        path.write_text("<x/>")
    if what == "bad sidecar":
        path.with_suffix(".json").write_text("{")
    with pytest.raises(ValueError) as err:
        replay_request(path, _run_with("p"))
    assert "\n" not in str(err.value) and "not a saved boundary request" in str(err.value)
