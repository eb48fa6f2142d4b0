"""Keep hypothesis's pytest plugin from importing hypothesis where nothing used it.

The plugin stays loaded in ``run`` (its ``--hypothesis-seed`` and ``--hypothesis-profile``
options drive the boundary tests), but its terminal summary imports hypothesis
unconditionally, which cost 1.1-1.4 s in every process of a run that never touched it.
At session end, in a process where hypothesis was never imported and no report carries
hypothesis statistics or failing examples, the summary has nothing to say: the plugin is
unregistered before it is asked.  Wherever hypothesis ran, nothing changes.
"""
from __future__ import annotations

import sys

import pytest

PLUGIN = "hypothesispytest"
_REPORT_KEYS = ("_hypothesis_stats", "_hypothesis_failing_examples")


def _reports_mention_hypothesis(config: pytest.Config) -> bool:
    tr = config.pluginmanager.get_plugin("terminalreporter")
    if tr is None:
        return False
    return any(any(k in vars(r) for k in _REPORT_KEYS)
               for reports in tr.stats.values() for r in reports if hasattr(r, "__dict__"))


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    plugin = config.pluginmanager.get_plugin(PLUGIN)
    if plugin is None or "hypothesis" in sys.modules or _reports_mention_hypothesis(config):
        return
    config.pluginmanager.unregister(plugin)
