"""One plan for every front end: what a run judges, which servers it starts, when it counts."""
import argparse

import pytest

from conformance import options
from conformance.errors import ConfigError, Unreachable, UsageError
from conformance.run_plan import plan, version_of
from conformance.server.serve import ReferenceServer


def ns(*argv: str) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    options.add_to_argparse(p, "run")
    return p.parse_args(list(argv))


@pytest.fixture()
def root(tmp_path):
    (tmp_path / "cases").mkdir()
    return tmp_path


def test_embedded_servers_per_version_started_and_closed(root):
    p = plan(ns("--api-version", "39.1.0", "--api-version", "42.6.0"), root=root, cwd=root)
    try:
        assert [str(r.version) for r in p.runs] == ["39.1.0", "42.6.0"]
        assert all(r.target.embedded for r in p.runs) and p.servers is not None
        assert p.cases_dir == (root / "cases").resolve() and p.output is None
        assert p.reports_base == root / "reports" and p.min_checks == 1 and not p.fail_on_skip
    finally:
        p.close()
    assert p.servers is None


def test_options_win_over_the_config_files_run_keys(root):
    p = plan(ns("--fail-on-skip", "--min-checks", "7", "--output", "o"), root=root,
             run_config={"min_checks": 3, "fail_on_skip": False})
    p.close()
    assert (p.min_checks, p.fail_on_skip, str(p.output)) == (7, True, "o")
    p = plan(ns(), root=root, run_config={"min_checks": 3, "fail_on_skip": True})
    p.close()
    assert (p.min_checks, p.fail_on_skip) == (3, True)


def test_the_roots_config_file_is_picked_unless_the_embedded_server_is_asked_for(root):
    (root / "webex-conformance.toml").write_text('[[target]]\nname = "s"\nendpoint = "http://127.0.0.1:1/x"\n'
                                                 'version = "42.6.0"\nsite_name = "x"\n')
    with pytest.raises(Unreachable, match="target 's': endpoint unreachable"):
        plan(ns(), root=root)
    p = plan(ns("--all-versions"), root=root)
    p.close()
    assert len(p.runs) == 26
    p = plan(ns(), root=root, root_config=False)
    p.close()
    assert p.runs[0].target.embedded


def test_errors_are_families_of_the_one_error_module(root):
    with pytest.raises(UsageError, match="--cases-dir 'nowhere' is not a directory"):
        plan(ns("--cases-dir", "nowhere"), root=root)
    with pytest.raises(ConfigError, match="--server-defect applies to the embedded"):
        plan(ns("--endpoint", "https://x.example/WBXService/XMLService", "--server-defect", "apiver-wrong"), root=root)
    with pytest.raises(ConfigError, match="--api-version"):
        plan(ns("--api-version", "40.0.0"), root=root)
    with pytest.raises(UsageError, match="--min-checks -1"):
        plan(ns("--min-checks", "-1"), root=root)
    with pytest.raises(UsageError, match="--api-version"):
        version_of("4x")


def test_a_given_version_still_checks_that_the_endpoint_answers(root, monkeypatch):
    monkeypatch.setenv("WEBEX_SITE_NAME", "refsite")
    with pytest.raises(Unreachable) as info:
        plan(ns("--endpoint", "http://127.0.0.1:1/WBXService/XMLService", "--api-version", "42.6.0"), root=root)
    assert info.value.exit_code == 3 and info.value.kind == "unreachable"
    with ReferenceServer("42.6.0") as srv:
        p = plan(ns("--endpoint", srv.url, "--api-version", "42.6.0"), root=root)
    assert [(r.target.endpoint, r.how) for r in p.runs] == [(srv.url, "given on the command line")]
    assert p.servers is None
