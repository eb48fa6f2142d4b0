"""Two public third-party XML API clients against ``webex-conformance serve`` (issue 13).

Not a test and not part of the package: it needs Node.js, a Python 2.7 interpreter and the
package registries, and the clients are third-party code that stays in a scratch folder
(never in this repository). Drivers in ``bench/third_party/`` call each client's own public
API and print one JSON line per call; this script starts ``serve`` per version, runs them,
and prints the calls that succeeded per client per version, then every failure.

- meetings: npm ``webex-api-client`` 0.2.3 (Node), driven by ``meetings_webex_api_client.js``.
- events: PyPI ``webexpy`` 2.2.6 (Python 2.7), driven by ``events_webexpy.py``.

Usage:
  python bench/third_party_clients.py --setup            # install both clients into --dir
  python bench/third_party_clients.py [--versions 42.6.0,39.2.0,11.0.0-SP10] [--dir D]
Options: --python2 PATH (default: python2.7 on PATH, or pyenv's 2.7), --only meetings|events.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DRIVERS = ROOT / "bench" / "third_party"
DEFAULT_DIR = Path(os.environ.get("WEBEX_CLIENTS_DIR", "/tmp/webex-clients"))
DEFAULT_VERSIONS = "42.6.0,39.2.0,11.0.0-SP10"

# The client's own dependencies as of its release (May 2012): requests.async went away later,
# and requests 0.12.1 is installed without its own (OAuth) dependencies, which it never imports here.
PY2_PACKAGES = ["gevent==22.10.2", "sanetime==4.2.3", "lxml==4.9.4",
                "python-dateutil==1.5", "pytz", "zope.interface==5.5.2", "zope.event==4.6"]
# webexpy imports three helpers from a ``utils`` package it never declares; these stand-ins
# are written into the scratch folder only.
UTILS_SHIM = {"property.py": "from webex.xutils import lazy_property as cached_property\n",
              "dict.py": "from webex.xutils import mpop\n",
              "string.py": "from webex.xutils import nstrip\n",
              "__init__.py": ""}


def _python2(given: str | None) -> str:
    for candidate in (given, str(Path.home() / ".pyenv/versions/2.7.18/bin/python2.7"), shutil.which("python2.7")):
        if candidate and Path(candidate).exists():
            return candidate
    sys.exit("third_party_clients: no Python 2.7 interpreter (give --python2 PATH)")


def setup(folder: Path, python2: str) -> None:
    """Installs both clients into ``folder`` with the registries' ordinary clients."""
    node = folder / "node"
    node.mkdir(parents=True, exist_ok=True)
    subprocess.run(["npm", "install", "--no-save", "--prefix", str(node), "webex-api-client@0.2.3"], check=True)
    site = folder / "py2"
    # run from the scratch folder: pip must not see this checkout on its path
    subprocess.run([python2, "-m", "pip", "install", "-q", "--target", str(site), *PY2_PACKAGES], check=True,
                   cwd=folder)
    subprocess.run([python2, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), "webexpy==2.2.6",
                    "requests==0.12.1"], check=True, cwd=folder)
    # --target skips the namespace .pth files: make ``zope`` importable from PYTHONPATH.
    (site / "zope" / "__init__.py").write_text("__path__ = __import__('pkgutil').extend_path(__path__, __name__)\n")
    shim = folder / "shim" / "utils"
    shim.mkdir(parents=True, exist_ok=True)
    for name, text in UTILS_SHIM.items():
        (shim / name).write_text(text)


def _serve(version: str) -> tuple[subprocess.Popen, dict]:
    exe = Path(sys.executable).with_name("webex-conformance")
    proc = subprocess.Popen([str(exe if exe.exists() else "webex-conformance"), "serve", "--api-version", version,
                             "--port", "0"], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        sys.exit(f"third_party_clients: serve --api-version {version} printed nothing")
    return proc, json.loads(line)


def _driver(client: str, folder: Path, python2: str, info: dict) -> list[dict]:
    env = dict(os.environ)
    if client == "meetings":
        env["NODE_PATH"] = str(folder / "node" / "node_modules")
        cmd = ["node", str(DRIVERS / "meetings_webex_api_client.js"), json.dumps(info)]
    else:
        env["PYTHONPATH"] = os.pathsep.join(str(folder / p) for p in ("py2", "shim"))
        cmd = [python2, str(DRIVERS / "events_webexpy.py"), json.dumps(info)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0:
        rows.append({"call": "(driver stopped)", "ok": False, "detail": done.stderr.strip().splitlines()[-1:]})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--setup", action="store_true", help="install the clients into --dir and stop")
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--python2")
    ap.add_argument("--versions", default=DEFAULT_VERSIONS)
    ap.add_argument("--only", choices=("meetings", "events"))
    args = ap.parse_args(argv)
    python2 = _python2(args.python2)
    if args.setup:
        setup(args.dir, python2)
        return 0
    clients = [args.only] if args.only else ["meetings", "events"]
    failures: list[str] = []
    total = Counter()
    for version in args.versions.split(","):
        proc, info = _serve(version)
        try:
            for client in clients:
                rows = _driver(client, args.dir, python2, info)
                ok = sum(1 for r in rows if r["ok"])
                total["ok"] += ok
                total["all"] += len(rows)
                print(f"{client:9} {version:12} {ok:3d} of {len(rows):3d} calls succeed")
                failures += [f"  {client} {version}: {r['call']}: {r['detail']}" for r in rows if not r["ok"]]
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"all: {total['ok']} of {total['all']} calls succeed")
    if failures:
        print("failures:")
        print("\n".join(failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
