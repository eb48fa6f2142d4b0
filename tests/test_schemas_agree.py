"""libxml2 on the XSD 1.0 form and xmlschema on the 1.1 bundle judge every response alike.

The run judges with libxml2 (``SchemaBundle.validate``'s fast path) and asks xmlschema
only to explain a rejection, so the two must agree on valid/invalid, and on where the
first error is, for everything a run can meet: the responses of the cases at several
versions (judged by every version's bundle), the seeded-defect runs, the shared real
traffic, and mutations of those (an element dropped, doubled, moved, retyped, renamed,
or an undocumented one inserted).  Any disagreement is listed with the document.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from lxml import etree

from conformance.cases import load_cases
from conformance.embedded import target_for_server
from conformance.execute import RunContext, run_case
from conformance.response import ResponseError, parse_message
from conformance.schemas import _path, _set_aside, bundle_for
from conformance.server.root import all_defects
from conformance.server.serve import ReferenceServer
from conformance.transport import WSGITransport
from conformance.versions import ALL_VERSIONS, parse_version

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real-traffic"
VERSIONS = ("11.0.0 SP10", "11.0.0 SP21", "39.2.0", "42.6.0")


class _Recording(WSGITransport):
    def __init__(self, app, settings):
        super().__init__(app, settings)
        self.bodies: list[bytes] = []

    def send(self, url, data, idempotent, method="POST"):
        ex = super().send(url, data, idempotent, method)
        if method == "POST":
            self.bodies.append(ex.body)
        return ex


def _responses(version: str, defects=(), only=None) -> list[bytes]:
    srv = ReferenceServer(version, defects=defects, test_paths=True)
    target = target_for_server(srv)
    rec = _Recording(srv.app, target.transport)
    ctx = RunContext(target, parse_version(version), rec)
    for case in load_cases(ROOT / "cases").cases:
        if only is None or case.id in only:
            run_case(case, ctx)
    return rec.bodies


@pytest.fixture(scope="module")
def corpus() -> list[bytes]:
    bodies: list[bytes] = []
    for v in VERSIONS:
        bodies += _responses(v)
    return bodies


@pytest.fixture(scope="module")
def defect_corpus() -> list[tuple[str, bytes]]:
    out = []
    for d in all_defects().values():
        out += [(d.version, b) for b in _responses(d.version, [d.name], set(d.cases))]
    return out


def _ns(root: etree._Element) -> dict[str, str]:
    return {p: u for e in root.iter(etree.Element) for p, u in e.nsmap.items() if p}


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0]


def _near(a: str, b: str) -> bool:
    """The same element, parent and child, or siblings: libxml2 reports a missing child at
    the parent or at the next sibling, xmlschema at the parent."""
    return a == b or _parent(a) == b or _parent(b) == a or _parent(a) == _parent(b)


def _disagreement(bundle, root: etree._Element) -> str | None:
    drift, drop, order = bundle._walk_of(root)
    work = _set_aside(root, drop, order) if (drop or order) else root
    fast_ok = bundle.fast.validate(work)
    issues = bundle.explain(root)
    if fast_ok != (not issues):
        first = bundle.fast.error_log.last_error
        return (f"libxml2 says {'valid' if fast_ok else 'invalid'} ({first.message if first else ''}), "
                f"xmlschema says {[i.message for i in issues] or 'valid'}")
    if fast_ok:
        return None
    first = bundle.fast.error_log[0]
    found = work.getroottree().xpath(first.path, namespaces=_ns(work)) if first.path else []
    if not found or not isinstance(found[0], etree._Element):
        return f"libxml2's error has no element: {first.path!r} {first.message}"
    where = _path(found[0])
    if not any(_near(where, i.path) for i in issues):
        return f"libxml2 at {where} ({first.message}); xmlschema at {[i.path for i in issues]}"
    return None


def _judge_all(docs: list[tuple[str, bytes]]) -> tuple[int, int, list[str]]:
    checked = invalid = 0
    problems = []
    for version, body in docs:
        try:
            root = parse_message(body).root
        except ResponseError:
            continue
        bundle = bundle_for(version)
        why = _disagreement(bundle, root)
        checked += 1
        invalid += bool(bundle.explain(root)) if why is None else 0
        if why:
            problems.append(f"{version}: {why}\n    {body[:600]!r}")
    return checked, invalid, problems


def _mutations(body: bytes, rng: random.Random, n: int) -> list[bytes]:
    try:
        root = parse_message(body).root
    except ResponseError:
        return []
    contents = root.findall(".//{*}bodyContent")
    if not contents:
        return []
    out = []
    for _ in range(n):
        doc = etree.fromstring(etree.tostring(root))
        elems = [e for e in doc.iterfind(".//{*}bodyContent//*")]
        if not elems:
            break
        e = rng.choice(elems)
        how = rng.randrange(6)
        parent = e.getparent()
        if how == 0:
            parent.remove(e)
        elif how == 1:
            parent.insert(parent.index(e), etree.fromstring(etree.tostring(e)))
        elif how == 2 and e.getnext() is not None:
            parent.insert(parent.index(e), e.getnext())
        elif how == 3 and len(e) == 0:
            e.text = "not-a-value-#"
        elif how == 4:
            parent.insert(rng.randrange(len(parent) + 1), etree.Element(f"{{{etree.QName(e).namespace}}}zzUndocumented"))
        else:
            other = rng.choice(elems)
            e.tag = other.tag
        out.append(etree.tostring(doc))
    return out


def _sample(corpus: list[bytes], rng: random.Random, k: int) -> list[bytes]:
    unique = sorted(set(corpus))
    return rng.sample(unique, min(k, len(unique)))


def test_both_validators_agree_on_the_cases_responses_at_every_version(corpus):
    rng = random.Random(7)
    docs = []
    for body in sorted(set(corpus)):
        docs += [(str(v), body) for v in rng.sample(ALL_VERSIONS, 3)]
    checked, invalid, problems = _judge_all(docs)
    assert checked > 1000 and invalid > 50, (checked, invalid)   # enough, and both kinds
    assert not problems, f"{len(problems)} disagreements:\n" + "\n".join(problems[:10])


def test_both_validators_agree_on_the_seeded_defect_runs(defect_corpus):
    checked, invalid, problems = _judge_all(defect_corpus)
    assert checked > 100 and invalid > 5, (checked, invalid)
    assert not problems, f"{len(problems)} disagreements:\n" + "\n".join(problems[:10])


def test_both_validators_agree_on_mutations(corpus):
    rng = random.Random(11)
    docs = []
    for body in _sample(corpus, rng, 200):
        for m in _mutations(body, rng, 6):
            docs.append((str(rng.choice(ALL_VERSIONS)), m))
    checked, invalid, problems = _judge_all(docs)
    assert checked > 1000 and invalid > 200, (checked, invalid)
    assert not problems, f"{len(problems)} disagreements:\n" + "\n".join(problems[:10])


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real-traffic is not present")
def test_both_validators_agree_on_real_traffic():
    bodies = [f.read_bytes() for f in sorted(REAL.glob("*-response.xml"))]
    assert bodies
    rng = random.Random(3)
    docs = [(str(v), b) for b in bodies for v in ALL_VERSIONS]
    docs += [(str(rng.choice(ALL_VERSIONS)), m) for b in bodies for m in _mutations(b, rng, 10)]
    checked, invalid, problems = _judge_all(docs)
    assert checked > 500, checked
    assert not problems, f"{len(problems)} disagreements:\n" + "\n".join(problems[:10])


VENDOR = ROOT.parent / "shared" / "reference" / "webex-xsd-legacy"


def _verdicts(bundle, body: bytes):
    from conformance.verdicts import judge_drift, judge_schema
    root = parse_message(body).root
    drift = judge_drift(bundle, root)
    return [v.to_dict() for v in judge_schema(bundle, root)], drift and (drift.to_dict(), drift.items)


def test_the_valid_as_is_shortcut_changes_no_verdict_or_drift_record(corpus, defect_corpus):
    """A closed bundle skips the drift walk for a document libxml2 accepts as it is; every
    verdict and drift record must be what the walk on every document gives."""
    import dataclasses
    from conformance.schemas import load_bundle
    rng = random.Random(13)
    bodies = _sample(corpus, rng, 150) + [b for _, b in defect_corpus[:100]]
    bodies += [m for b in _sample(corpus, rng, 40) for m in _mutations(b, rng, 4)]
    if REAL.is_dir():
        bodies += [f.read_bytes() for f in sorted(REAL.glob("*-response.xml"))]
    bundles = [bundle_for(v) for v in ("11.0.0 SP10", "42.6.0")]
    if VENDOR.is_dir():
        bundles.append(load_bundle(VENDOR))
    shortcut = drifted = 0
    for bundle in bundles:
        slow = dataclasses.replace(bundle, closed=False)
        for body in bodies:
            try:
                fast = _verdicts(bundle, body)
            except ResponseError:
                continue
            assert fast == _verdicts(slow, body), f"{bundle.name}: {body[:300]!r}"
            shortcut += bundle.closed and fast[0][0]["outcome"] == "pass" and not fast[1]
            drifted += bool(fast[1])
    assert shortcut > 100 and drifted > 50, (shortcut, drifted)   # both branches were taken
