"""``webex-conformance replay boundary/<limit> --request FILE``: the saved request re-sent
once with the target's credential, judged by the same oracle; bad input is a usage error."""
from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from conformance.boundary_replay import replay_boundary
from conformance.boundary_repro import save_failure
from conformance.boundary_run import Failure
from conformance.embedded import EmbeddedServers
from conformance.envelope import build_envelope
from conformance.errors import UsageError
from conformance.limits import load_limits
from conformance.versions import documented

ROOT = Path(__file__).resolve().parents[1]
LIMIT = next(lim for lim in load_limits(ROOT / "limits").limits if lim.id == "confname-128")


def _args(request, case="boundary/confname-128", defects=(), cases_dir=None):
    return argparse.Namespace(case=case, request=str(request) if request else None, cases_dir=cases_dir,
                              endpoint=None, conformance_config=None, api_version=["42.6.0"], target=[],
                              server_defect=list(defects), site_name=None)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A 129-character confName for CreateMeeting, saved the way a run saves a failure."""
    out = tmp_path_factory.mktemp("replay")
    with EmbeddedServers() as servers:
        target = servers.target(documented("42.6.0"))
        cred = target.credential("main", "host")
        body = ("<accessControl><meetingPassword>Cf4711xy</meetingPassword></accessControl>"
                f"<metaData><confName>{'a' * 129}</confName></metaData>"
                "<schedule><startDate>01/01/2031 10:00:00</startDate><duration>60</duration></schedule>")
        data = build_envelope("meeting", "CreateMeeting", body, cred, target.sites["main"].site_name)
        failure = Failure("ABOVE_MAX", "edge", "meeting.CreateMeeting", 129, 128, "129 a", "refused", "SUCCESS",
                          data, None, "a" * 129)
        path = save_failure(out, LIMIT, "42.6.0", failure, target.endpoint, True, target.secrets())
        password = cred.password
    return Path(path), password


def test_replay_judges_the_answer_with_the_oracle(saved, capsys):
    path, password = saved
    assert replay_boundary(_args(path)) == 0                                   # refused: as the notes say
    out = capsys.readouterr().out
    assert "PASS" in out and password not in out and "ABOVE_MAX on meeting.CreateMeeting" in out
    assert replay_boundary(_args(path, defects=("confname-limit-129",))) == 1  # accepted: the defect shows
    assert "FAIL boundary:ABOVE_MAX" in capsys.readouterr().out


def test_replay_without_a_request_or_with_an_unknown_limit_is_a_usage_error(saved):
    with pytest.raises(UsageError, match="--request FILE"):
        replay_boundary(_args(None))
    with pytest.raises(UsageError, match="no limit 'no-such-limit'"):
        replay_boundary(_args(saved[0], case="boundary/no-such-limit"))


def test_replay_of_a_file_that_was_not_saved_by_a_run_is_a_usage_error(tmp_path):
    stray = tmp_path / "stray.xml"
    stray.write_text("<x/>")
    with pytest.raises(UsageError, match="not a saved boundary request"):
        replay_boundary(_args(stray))
