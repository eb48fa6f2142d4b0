"""The embedded server reached in-process (wsgi) and over HTTP: the same target either way."""
import pytest

from conformance.cases import load_cases
from conformance.embedded import EmbeddedServers
from conformance.execute import context_for, run_case
from conformance.server.root import all_defects
from conformance.transport import Transport, TransportError, WSGITransport
from conformance.versions import documented

from test_suite_e2e import ROOT

V = documented("42.6.0")
CASES = load_cases(ROOT / "cases").by_id()


def _context(servers, version=V):
    target = servers.target(version)
    return context_for(target, version, servers.transport_for(target, version))


def test_wsgi_target_is_reached_in_process_and_its_url_never_resolves():
    servers = EmbeddedServers(transport="wsgi")
    ctx = _context(servers)
    assert isinstance(ctx.transport, WSGITransport)
    assert ctx.target.embedded and ctx.target.endpoint.startswith("http://reference-server.invalid/")
    assert run_case(CASES["getapiversion-apiver"], ctx).outcome == "pass"
    with pytest.raises(TransportError):   # sent over HTTP by mistake: fails at once
        Transport(ctx.target.transport).send(ctx.target.endpoint, b"<x/>", idempotent=True)
    servers.close()


def test_the_mail_outbox_is_read_in_process():
    servers = EmbeddedServers(transport="wsgi")
    ctx = _context(servers)
    exchange = ctx.transport.get(ctx.target.values["mail.url"])
    assert exchange.status == 200 and exchange.headers["content-type"] == "application/json"
    mail_cases = [c for c in CASES.values() if any(e.reads_mail for s in c.steps for e in s.expect)
                  and c.applies_to(V)]
    assert mail_cases and all(run_case(c, ctx).outcome == "pass" for c in mail_cases[:3])


def test_a_worker_copy_has_the_same_credentials_and_a_state_of_its_own():
    planner = EmbeddedServers(transport="wsgi")
    planner.prepare([V])
    worker = EmbeddedServers.from_worker(planner.to_worker())
    target = planner.target(V)
    assert worker.target(V) == target        # same credentials, values and URL everywhere
    mine, theirs = planner.transport_for(target, V), worker.transport_for(target, V)
    assert mine.app.state is not theirs.app.state
    count = "SELECT count(*) AS n FROM sessions"
    before = mine.app.state.one(count)["n"]
    assert before == theirs.app.state.one(count)["n"]            # seeded alike
    counters = "SELECT name, value FROM counters ORDER BY name"
    seeded = [tuple(r) for r in mine.app.state.query(counters)]
    assert run_case(CASES["createmeeting-confname-128"], context_for(target, V, theirs)).outcome == "pass"
    # the meeting the case made (and deleted) moved the worker's id counters, not the planner's
    assert [tuple(r) for r in mine.app.state.query(counters)] == seeded
    assert [tuple(r) for r in theirs.app.state.query(counters)] != seeded
    assert not mine.app.calls.all() and not theirs.app.calls.all()   # embedded servers keep no request log


def test_http_mode_goes_over_http():
    with EmbeddedServers(transport="http") as servers:
        target = servers.target(V)
        assert servers.transport_for(target, V) is None and servers.to_worker() is None
        assert target.endpoint.startswith("http://127.0.0.1:")


def test_a_seeded_defect_applies_in_process():
    name, d = next((n, d) for n, d in sorted(all_defects().items()) if d.cases)
    version = documented(d.version)
    worker = EmbeddedServers.from_worker(_prepared(EmbeddedServers((name,), transport="wsgi"), version))
    ctx = _context(worker, version)
    assert run_case(CASES[d.cases[0]], ctx).outcome in ("fail", "error")


def _prepared(servers, version):
    servers.prepare([version])
    return servers.to_worker()


def test_an_unknown_transport_or_defect_is_one_line():
    with pytest.raises(ValueError, match="one of wsgi, http"):
        EmbeddedServers(transport="tcp")
    with pytest.raises(ValueError):
        EmbeddedServers(("no-such-defect",), transport="wsgi").prepare([V])


def _every_api():
    from conformance.server.root import full_catalog
    return sorted(full_catalog().handlers)


@pytest.fixture(scope="module")
def live():
    from conformance.embedded import target_for_server
    from conformance.server.serve import ReferenceServer
    with ReferenceServer(V, test_paths=True) as srv:
        target = target_for_server(srv)
        with Transport(target.transport) as http:
            yield srv, target, http


@pytest.mark.parametrize("service,api", _every_api(), ids=lambda x: x)
def test_every_emulated_api_answers_alike_over_real_http_and_in_process(live, service, api):
    """The main job calls the server in-process; this keeps every API it emulates also
    judged end to end over real HTTP, and the two answers the same."""
    from conformance.envelope import build_envelope
    from conformance.response import parse_response
    srv, target, http = live
    access = target.sites["main"]
    base = service.split(".", 1)[0]   # "meeting.auo": a three-part body type the builder does not make
    data = build_envelope(base, api, "", access.credentials["site-admin"], access.site_name)
    data = data.replace(f"binding.{base}.{api}".encode(), f"binding.{service}.{api}".encode())
    over_http = http.send(srv.url, data, idempotent=False)
    in_process = WSGITransport(srv.app, target.transport).send(srv.url, data, idempotent=False)
    a, b = parse_response(over_http), parse_response(in_process)
    assert over_http.status == in_process.status == 200
    assert over_http.headers["content-type"] == in_process.headers["content-type"]
    assert a.exception_id != "000000", a.reason   # the API's own handler answered, at the latest version
    assert (a.result, a.exception_id) == (b.result, b.exception_id), (api, a.reason, b.reason)
