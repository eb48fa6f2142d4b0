"""The option table: one definition, the same names, defaults and help text both ways."""
import argparse

import pytest

from conformance import options
from conformance.cli import build_parser


def _run_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser()
    options.add_to_argparse(p, "run")
    return p


def test_every_option_has_a_help_text_and_a_unique_dest():
    dests = [o.dest for o in options.OPTIONS]
    assert len(dests) == len(set(dests))
    for o in options.OPTIONS:
        assert o.help and not o.help.endswith("."), o.name


def test_pytest_sees_the_same_options_except_its_own(pytester):
    pytester.makeconftest("")
    result = pytester.runpytest_inprocess("--help")
    out = result.stdout.str()
    for o in options.OPTIONS:
        name = o.pytest_name or o.name
        if not o.forward:
            assert name in out, name
    assert "--min-checks" in out and "--fail-on-skip" in out


def test_the_cli_accepts_the_pytest_name_too():
    ns = _run_parser().parse_args(["--conformance-config", "a.toml"])
    assert ns.conformance_config == "a.toml"
    ns = _run_parser().parse_args(["--config", "b.toml", "--output", "o"])
    assert ns.conformance_config == "b.toml" and ns.conformance_output == "o"


def test_a_namespace_goes_back_to_pytest_arguments_with_defaults_left_out():
    ns = _run_parser().parse_args(["--api-version", "39.1.0", "--api-version", "42.6.0", "--config", "c.toml",
                                   "-x", "-k", "apiver", "-n", "2", "--fail-on-skip"])
    args = options.pytest_args(ns)
    assert args == ["--api-version", "39.1.0", "--api-version", "42.6.0", "--conformance-config", "c.toml",
                    "--fail-on-skip", "-k", "apiver", "-n", "2", "-x"]
    assert options.pytest_args(_run_parser().parse_args([])) == []


def test_pytest_parses_what_the_cli_hands_it(pytester):
    """Every non-default value survives the trip CLI namespace -> pytest arguments -> config.option."""
    ns = _run_parser().parse_args(["--endpoint", "https://x.example/WBXService/XMLService", "--target", "t1",
                                   "--site-name", "s", "--min-checks", "5", "--server-defect", "d"])
    config = pytester.parseconfig(*options.pytest_args(ns))
    for o in options.OPTIONS:
        if not o.forward:
            assert getattr(config.option, o.dest) == getattr(ns, o.dest), o.name


@pytest.mark.parametrize("command", ["run", "replay"])
def test_the_commands_take_the_table_rows_meant_for_them(command):
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    strings = {s for a in sub.choices[command]._actions for s in a.option_strings}
    for o in options.for_command(command):
        assert set(o.flags(for_pytest=False)) <= strings
