"""``webex-conformance replay boundary/<limit> --request FILE``: re-send a saved failing example.

The file is what ``boundary_repro`` saved: the request envelope with its credential
masked.  Replay puts the target's credential back in, sends it once, prints the exchange
(masked) and judges the answer with the same oracle as the run.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from .errors import EXIT_FAIL, EXIT_OK, EXIT_UNREACHABLE, ConfigError, UsageError

__all__ = ["replay_boundary"]


def replay_boundary(args: argparse.Namespace) -> int:
    from .boundary_inputs import value_from_json
    from .boundary_repro import replay_request
    from .detect import DetectError
    from .embedded import EmbeddedServers
    from .limits import LimitFileError, load_limit_file
    from .masking import mask
    from .oracles import judge_example, predict
    from .response import ResponseError, parse_response
    from .targets import Unreachable, resolve
    from .transport import EndpointUnreachable, Transport, TransportError

    if not args.request:
        raise UsageError(f"replay {args.case}: give the saved request with --request FILE "
                         "(the failure report names it)")
    from .resources import limits_dir
    limit_id = args.case.split("/", 1)[1]
    where = Path(args.cases_dir).resolve().parent / "limits" if args.cases_dir else limits_dir()
    if where is None:
        raise UsageError("no limit files are installed")
    try:
        limit = load_limit_file(where / f"{limit_id}.toml")
    except LimitFileError as exc:
        raise UsageError(f"no limit {limit_id!r}: {exc}") from None
    servers = None if (args.endpoint or args.conformance_config) else \
        EmbeddedServers(args.server_defect, transport=getattr(args, "embedded_transport", None) or "wsgi")
    try:
        try:
            runs = resolve(endpoint=args.endpoint, versions=args.api_version,
                           config_path=Path(args.conformance_config) if args.conformance_config else None,
                           target_names=args.target,
                           servers=servers, site_name=args.site_name)
        except Unreachable as exc:
            print(f"webex-conformance: error: {exc}")
            return EXIT_UNREACHABLE
        except DetectError as exc:
            raise ConfigError(str(exc)) from None
        worst = EXIT_OK
        for run in runs:
            try:
                data, side = replay_request(Path(args.request), run)
            except ValueError as exc:
                raise UsageError(str(exc)) from None
            secrets = run.target.secrets()
            api = next((a for a in limit.apis if a.api == side.get("api")), limit.apis[0])
            with (servers and servers.transport_for(run.target, run.version)) or \
                    Transport(run.target.transport) as transport:
                try:
                    exchange = transport.send(run.target.endpoint, data, idempotent=not api.writes)
                except EndpointUnreachable as exc:
                    print(mask(f"webex-conformance: error: {exc}", secrets))
                    return EXIT_UNREACHABLE
                except TransportError as exc:
                    print(mask(f"ERROR transport: {exc}", secrets))
                    return EXIT_FAIL
            print(f"# {limit.test_id} {side.get('scenario')} on {api.api}, judged as API {run.version}")
            print(">>> request\n" + mask(data.decode("utf-8", "replace")[:4000], secrets))
            print(f"<<< response (HTTP {exchange.status})\n" + mask(exchange.body.decode("utf-8", "replace")[:4000], secrets))
            try:
                parsed = parse_response(exchange, max_bytes=run.target.transport.max_response_bytes)
            except ResponseError as exc:
                print(f"  FAIL envelope: {exc.reason}")
                worst = EXIT_FAIL
                continue
            prediction = predict(limit, run.version, value_from_json(limit, side.get("value")))
            verdicts, _seen = judge_example(prediction, parsed, str(side.get("scenario")), api.accept_codes)
            for v in verdicts:
                print("  " + mask(v.describe(), secrets))
            if any(v.outcome == "fail" for v in verdicts):
                worst = EXIT_FAIL
        return worst
    finally:
        if servers is not None:
            servers.close()
