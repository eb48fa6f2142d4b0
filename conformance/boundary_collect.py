"""pytest items for boundary tests: one per (limit, target version), ``boundary/<limit>[<version>]``.

The conformance plugin loads this module (``pytest_plugins``); it adds the limits of
``limits/`` (beside the cases directory, or ``--limits-dir``) to every run that collects
cases, so ``-k``/``-m`` select them like cases (markers ``webex_boundary``,
``kind_boundary``, ``limit_<id>``, ``api_<Api>``).  Results go the cases' way: a
``CaseResult`` in the report's user_properties, gathered and written by the controller.

Reproducibility: every run prints its Hypothesis seed; ``--hypothesis-seed`` replays it
and ``--hypothesis-profile`` picks ``dev`` (default), ``ci`` (derandomized, no example
database) or ``thorough``.  Failures found are kept in an example database
(``--boundary-database``, default ``.hypothesis/boundary`` at the root) and tried first next time.
"""
from __future__ import annotations

import gc
import random
from pathlib import Path
from typing import Any

import pytest

from .boundary_run import SearchSettings, run_limit
from .limits import Limit, LimitFileError, load_limit_file
from .record_spool import carry

SEED_KEY = "webex_boundary_seed"
PROFILES = {
    "dev": {"max_examples": 6},
    "ci": {"max_examples": 5, "derandomize": True, "database": None},
    "thorough": {"max_examples": 200},
}
_SEED = pytest.StashKey[int]()


def register_profiles() -> None:
    """The boundary profiles, registered before hypothesis's plugin loads the chosen one."""
    from hypothesis import settings
    # Parent: Hypothesis's own default, not whatever is loaded (it loads ``ci`` itself when
    # the CI variable is set, and ``dev`` must not inherit that profile's missing database).
    base = settings.get_profile("default")
    for name, values in PROFILES.items():
        settings.register_profile(name, parent=base, **values)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # Only when asked for by name here (hypothesis's plugin loads it next); otherwise when a
    # boundary test first needs them, so a run without boundary tests never imports hypothesis.
    if config.getoption("hypothesis_profile", None) in PROFILES:
        register_profiles()
    config.addinivalue_line("markers", "webex_boundary: a boundary test of a documented limit")
    config.addinivalue_line("markers", "kind_boundary: boundary tests (Hypothesis inputs around documented limits)")
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and workerinput.get(SEED_KEY) is not None:
        config.stash[_SEED] = int(workerinput[SEED_KEY])
        return
    given = config.getoption("hypothesis_seed", None)
    try:
        config.stash[_SEED] = int(given) if given is not None else random.SystemRandom().randrange(2 ** 32)
    except ValueError:
        raise pytest.UsageError(f"--hypothesis-seed {given!r}: must be a whole number") from None
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistSeed(), "webex_boundary_xdist")


class _XdistSeed:
    @pytest.hookimpl
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[SEED_KEY] = node.config.stash[_SEED]


def _plugin_state(config: pytest.Config):
    from .plugin import state
    return state(config)


def _limits_dir(config: pytest.Config) -> Path | None:
    opt = config.getoption("limits_dir", None)
    if opt:
        return Path(opt).resolve()
    st = _plugin_state(config)
    return (st.cases_dir.parent / "limits").resolve() if st.cases_dir is not None else None


def search_settings(config: pytest.Config) -> SearchSettings:
    """The search phase's settings from the loaded Hypothesis profile (``dev`` by default)."""
    from hypothesis import settings
    register_profiles()
    name = settings.get_current_profile_name()
    current = settings.get_profile("dev") if name == "default" else settings.default
    database = None
    if current.database is not None:
        opt = config.getoption("boundary_database", None)
        database = Path(opt) if opt else Path(config.rootpath) / ".hypothesis" / "boundary"
    return SearchSettings(max_examples=current.max_examples, derandomize=current.derandomize,
                          seed=config.stash[_SEED], database=database, full_edges=_profile_name() == "thorough")


def _profile_name() -> str:
    from hypothesis import settings
    register_profiles()
    name = settings.get_current_profile_name()
    return "dev" if name == "default" else name


def pytest_report_header(config: pytest.Config) -> list[str]:
    if getattr(config, "workerinput", None) is not None or not _plugin_state(config).active:
        return []
    return [seed_line(config)]


def seed_line(config: pytest.Config) -> str:
    return (f"webex-conformance boundary: hypothesis profile {_profile_name()!r}, seed {config.stash[_SEED]} "
            f"(replay with --hypothesis-seed {config.stash[_SEED]})")


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    st = _plugin_state(parent.config)
    where = _limits_dir(parent.config)
    if not st.active or where is None or file_path.suffix != ".toml" or file_path.resolve().parent != where:
        return None
    return LimitFile.from_parent(parent, path=file_path)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    """Add the boundary items of every limit file when the run collected cases but not
    limits/ itself (tryfirst: before -k/-m deselect)."""
    st = _plugin_state(config)
    where = _limits_dir(config)
    if not st.active or where is None or not where.is_dir() or any(isinstance(i, BoundaryItem) for i in items):
        return
    if not any(getattr(i, "case", None) is not None for i in items) and items:
        return
    for path in sorted(where.glob("*.toml")):
        if path.name.startswith("_"):
            continue
        items.extend(LimitFile.from_parent(session, path=path).collect())


class LimitFile(pytest.File):
    def collect(self):
        from .plugin import CaseLoadError
        st = _plugin_state(self.config)
        try:
            limit = load_limit_file(self.path)
        except LimitFileError as err:
            yield CaseLoadError.from_parent(self, name="load-error", error=str(err))
            return
        for run in st.runs:
            yield BoundaryItem.from_parent(self, name=f"{limit.test_id}[{run.label}]", limit=limit, run=run)


class BoundaryFailed(Exception):
    def __init__(self, result: Any):
        super().__init__(result.reason)
        self.result = result


def may_write(run: Any, config: pytest.Config) -> bool:
    """Whether a boundary test may create or change objects on this target: the one
    decision cases use too (``write_guard.decide``: embedded always, else --allow-writes,
    production only with --i-know-this-is-production as well)."""
    from .write_guard import decide_from_options
    return decide_from_options(run.target, config.option).allowed


class BoundaryItem(pytest.Item):
    def __init__(self, *, limit: Limit, run: Any, **kw: Any):
        super().__init__(**kw)
        from .plugin import mark_name, register_marker
        self.limit, self.run = limit, run
        self.add_marker(pytest.mark.webex_boundary)
        self.add_marker("kind_boundary")
        marks = [(mark_name("limit", limit.id), f"boundary tests of the {limit.id} limit")]
        marks += [(mark_name("api", a.name), f"cases touching {a.name}") for a in limit.apis]
        for name, what in marks:
            register_marker(self.config, name, what)
            self.add_marker(name)
        self.extra_keyword_matches.update([*(a.name for a in limit.apis), "boundary", limit.id, limit.unit,
                                           str(run.version)])

    def setup(self) -> None:
        # Hypothesis's first test in a process runs a full gc.collect() + gc.get_referrers()
        # (register_random): 0.16 s over a main job's heap.  What the run holds by then is
        # frozen, out of that walk, once (later tests do not walk again; freezing at every
        # item would keep the garbage of the cases between them) until the loop ends
        # (plugin.session's pytest_runtestloop thaws it with its own).
        # Remembered in the run's state: gc.get_freeze_count() walks every frozen object.
        st = _plugin_state(self.config)
        if not st.heap_frozen:
            st.heap_frozen = True
            gc.freeze()

    def runtest(self) -> None:
        from .plugin import RESULT_KEY, run_dir
        from .boundary_repro import save_failure
        st = _plugin_state(self.config)
        ctx = st.context(self.run)
        out = run_dir(self.config)
        secrets = self.run.target.secrets()
        defects = tuple(self.config.option.server_defect or ())

        def saved(failure):
            try:
                return save_failure(out, self.limit, self.run.version.slug, failure, self.run.target.endpoint,
                                    self.run.target.embedded, secrets, defects)
            except OSError:
                return None

        result = run_limit(self.limit, ctx, search_settings(self.config), may_write(self.run, self.config), saved)
        self.user_properties.append((RESULT_KEY, carry(result)))
        if result.error_kind == "unreachable":
            self.session.shouldstop = f"webex-conformance: {result.reason}"
        if result.outcome in ("skip", "not-applicable"):
            pytest.skip(f"{result.outcome}: {result.reason}")
        if result.outcome in ("fail", "error"):
            raise BoundaryFailed(result)

    def repr_failure(self, excinfo, style=None):  # noqa: ARG002
        if not isinstance(excinfo.value, BoundaryFailed):
            return super().repr_failure(excinfo)
        from .masking import mask
        r = excinfo.value.result
        b = r.boundary or {}
        lines = [f"{r.outcome.upper()}: {self.limit.title} [{r.source}]",
                 f"target {r.target} ({r.endpoint}) judged as API {r.version}; unit {b.get('unit')}, "
                 f"bound {b.get('bound')}; seed {b.get('seed')}", f"reason: {r.reason}"]
        for f in b.get("failures", []):
            lines.append(f"  {f['phase']} {f['scenario']} on {f['api']}: size {f['input_size']} (bound {f['bound']}): "
                         f"{f['example']}")
            lines.append(f"    expected {f['expected']}; got {f['actual']}")
            if f.get("request_file"):
                lines.append(f"    request: {f['request_file']} (commands: {Path(f['request_file']).with_suffix('.sh')})")
        if b.get("reading"):
            lines.append(f"reading of the unit the endpoint follows: {b['reading']}")
        lines.append(f"Reproduce with: webex-conformance run -k '{self.limit.id} and {self.run.version}' "
                     f"--hypothesis-seed {b.get('seed')}")
        return mask("\n".join(lines), self.run.target.secrets())

    def reportinfo(self):
        return self.path, None, self.name


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if getattr(config, "workerinput", None) is not None or not _plugin_state(config).active:
        return
    terminalreporter.write_line(seed_line(config))
