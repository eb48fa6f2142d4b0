"""One client for the reference server, shared by the tests/test_server_*.py files.

Each service's tests used to carry their own copy of the same envelope builder, server
cache and reply helpers; one copy means a change to the envelope or the seeded accounts
is made once.  ``call`` returns the parsed lxml root so every test keeps asserting on
plain XML.  The pool fixtures that use it live in tests/conftest.py.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from types import EllipsisType
from typing import Any

import requests
from lxml import etree

from conformance.namespaces import NS
from conformance.schemas import bundle_for
from conformance.server.serve import ReferenceServer

__all__ = ["ROLES", "SITES", "RefClient", "ServiceClient", "ServerPool",
           "result", "exception_id", "reason", "outcome", "xp", "texts", "assert_valid", "assert_pages"]

# role name -> the seeded account it logs in as; None sends no credentials, "token" the machine token
ROLES: dict[str | None, str | None] = {
    "admin": "admin", "site-admin": "admin", "host": "host", "host2": "host2", "attendee": "attendee",
    "anonymous": None, None: None, "token": "token",
}
SITES = ("main", "suspended", "control-hub", "auto-record")
TIMEOUT = 60


class RefClient:
    """One running reference server, called over HTTP as a seeded user of one of its sites."""

    def __init__(self, srv: ReferenceServer):
        self.srv = srv
        self.http = requests.Session()

    @property
    def version(self):
        return self.srv.version

    @property
    def values(self) -> dict[str, str]:
        return self.srv.values

    def credentials(self, role: str | None) -> str:
        """The securityContext children that log in as ``role`` (no siteName)."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}: expected one of {sorted(r for r in ROLES if r)} or None")
        account = ROLES[role]
        if account is None:
            return ""
        if account == "token":
            return f"<accessToken>{self.srv.info['accessToken']}</accessToken>"
        acc = self.srv.seed.accounts[account].wire()
        return f"<webExID>{acc['webExID']}</webExID><password>{acc['password']}</password>"

    def envelope(self, service: str, api: str, body: str = "", role: str | None = "host", site: str = "main",
                 security: str | None = None) -> bytes:
        """The request for ``service.api``; ``security`` replaces the whole securityContext content."""
        if security is None:
            if site not in self.srv.seed.sites:
                raise ValueError(f"unknown site {site!r}: expected one of {', '.join(SITES)}")
            security = self.credentials(role) + f"<siteName>{self.srv.seed.sites[site].site_name}</siteName>"
        xml = (f'<?xml version="1.0" encoding="UTF-8"?><serv:message xmlns:serv="{NS["serv"]}" '
               f'xmlns:xsi="{NS["xsi"]}"><header><securityContext>{security}</securityContext></header>'
               f'<body><bodyContent xsi:type="java:com.webex.service.binding.{service}.{api}">{body}'
               f'</bodyContent></body></serv:message>')
        return xml.encode("utf-8")

    def post(self, data: bytes) -> etree._Element:
        """Send raw bytes to the XML API endpoint and parse the answer."""
        r = self.http.post(self.srv.url, data=data, timeout=TIMEOUT)
        assert r.status_code == 200, f"HTTP {r.status_code} from {self.srv.url}"
        return etree.fromstring(r.content)

    def call(self, service: str, api: str, body: str = "", role: str | None = "host", site: str = "main",
             *, security: str | None = None, validate: bool = False) -> etree._Element:
        """Call ``service.api``; with ``validate`` a SUCCESS answer must also fit its version's schema."""
        root = self.post(self.envelope(service, api, body, role, site, security))
        if validate and result(root) == "SUCCESS":
            issues = bundle_for(self.version).validate(root)
            assert not issues, f"{api} at {self.version}: {[i.message for i in issues]}"
        return root

    def on(self, service: str, role: str | None = "host", *, validate: bool = False,
           wrap: Callable[[etree._Element], Any] | None = None) -> "ServiceClient":
        """This server seen through one service, with its own default role (and reply wrapper)."""
        return ServiceClient(self, service, role, validate, wrap)

    def mails(self) -> list[dict]:
        """What the server has "sent" so far (needs a server started with ``test_paths``)."""
        if not self.srv.outbox_url:
            raise RuntimeError("this reference server has no outbox: start it with test_paths=True")
        return json.loads(self.http.get(self.srv.outbox_url, timeout=TIMEOUT).text)


class ServiceClient:
    """A RefClient bound to one service, so a service's tests write ``call(api, body)``."""

    def __init__(self, client: RefClient, service: str, role: str | None = "host", validate: bool = False,
                 wrap: Callable[[etree._Element], Any] | None = None):
        self.client = client
        self.service = service
        self.role = role
        self.validate = validate
        self.wrap = wrap

    @property
    def srv(self) -> ReferenceServer:
        return self.client.srv

    @property
    def version(self):
        return self.client.version

    @property
    def values(self) -> dict[str, str]:
        return self.client.values

    def call(self, api: str, body: str = "", role: str | None | EllipsisType = ..., site: str = "main",
             *, security: str | None = None) -> Any:
        """``service.api`` as ``role`` (the bound default when not given)."""
        root = self.client.call(self.service, api, body, self.role if role is ... else role, site,
                                security=security, validate=self.validate)
        return self.wrap(root) if self.wrap else root

    def credentials(self, role: str | None) -> str:
        return self.client.credentials(role)

    def envelope(self, api: str, body: str = "", role: str | None = "host", site: str = "main",
                 security: str | None = None) -> bytes:
        return self.client.envelope(self.service, api, body, role, site, security)

    def post(self, data: bytes) -> etree._Element:
        return self.client.post(data)

    def mails(self) -> list[dict]:
        return self.client.mails()


class ServerPool:
    """Reference servers started on first use, one per (version, defects, site overrides, test paths).

    With ``reuse=False`` every request starts a new server (for tests that change state).
    """

    def __init__(self, reuse: bool = True):
        self.reuse = reuse
        self._running: dict[tuple, RefClient] = {}
        self._started: list[RefClient] = []

    def __call__(self, version: str, defects: Iterable[str] = (), *, site_overrides: dict | None = None,
                 test_paths: bool = False) -> RefClient:
        if isinstance(defects, str):
            raise TypeError(f"defects must be a tuple of names, not the string {defects!r}: write ({defects!r},)")
        key = (version, tuple(defects), repr(site_overrides), test_paths)
        if self.reuse and key in self._running:
            return self._running[key]
        srv = ReferenceServer(version, defects=tuple(defects), site_overrides=site_overrides, test_paths=test_paths)
        client = RefClient(srv.start())
        self._started.append(client)
        if self.reuse:
            self._running[key] = client
        return client

    def bind(self, service: str, role: str | None = "host", *, validate: bool = False,
             wrap: Callable[[etree._Element], Any] | None = None,
             test_paths: bool = False) -> Callable[..., ServiceClient]:
        """A ``get(version, defects=(), site_overrides=None)`` that answers ServiceClients for ``service``."""
        def get(version: str, defects: Iterable[str] = (), *, site_overrides: dict | None = None) -> ServiceClient:
            return self(version, defects, site_overrides=site_overrides, test_paths=test_paths).on(
                service, role, validate=validate, wrap=wrap)
        return get

    def close(self) -> None:
        for client in self._started:
            client.srv.stop()
            client.http.close()
        self._started.clear()
        self._running.clear()


# -- reading a reply --------------------------------------------------------------------

def result(root: etree._Element) -> str | None:
    return root.findtext(".//serv:result", namespaces=NS)


def exception_id(root: etree._Element) -> str | None:
    return root.findtext(".//serv:exceptionID", namespaces=NS)


def reason(root: etree._Element) -> str:
    return root.findtext(".//serv:reason", namespaces=NS) or ""


def outcome(root: etree._Element) -> tuple[str | None, str | None]:
    """(result, exceptionID): ("SUCCESS", None) or ("FAILURE", "000001") and so on."""
    return result(root), exception_id(root)


def xp(root: etree._Element, path: str) -> Any:
    return root.xpath(path, namespaces=NS)


def texts(root: etree._Element, xpath: str) -> list[str]:
    """The text of every node ``xpath`` selects (strings as they are, empty elements as "")."""
    return [x if isinstance(x, str) else (x.text or "") for x in xp(root, xpath)]


def assert_valid(root: etree._Element, version: str) -> None:
    issues = bundle_for(version).validate(root)
    assert not issues, [i.message for i in issues]


def assert_suspended_rule(answers: list[etree._Element], refused: bool, version: str) -> None:
    """42.5.0/42.6.0: on a suspended site each answer is 010107, else a schema-valid SUCCESS."""
    for root in answers:
        if refused:
            assert (result(root), exception_id(root), reason(root)) == ("FAILURE", "010107", "The site is suspended")
        else:
            assert result(root) == "SUCCESS", reason(root)
            assert_valid(root, version)


def assert_pages(call: Callable[[str], etree._Element], items: str, records: str, body: str = "") -> int:
    """Check a list API's listControl edges against its own full listing; return how many rows it has.

    ``call(body)`` sends one request; ``items`` selects the listed elements (their text is
    compared, so each must say which row it is) and ``records`` the matchingRecords element.
    Every page must be the matching slice of the full list with total/returned/startFrom
    right; startFrom past the end is 000015; maximumNum 0 is 999999.
    """
    def window(start: int, maximum: int) -> etree._Element:
        return call(f"{body}<listControl><startFrom>{start}</startFrom><maximumNum>{maximum}</maximumNum>"
                    f"</listControl>")

    def counts(root: etree._Element) -> list[str]:
        return [xp(root, f"string({records}/serv:{n})") for n in ("total", "returned", "startFrom")]

    full = window(1, 500)
    assert outcome(full) == ("SUCCESS", None), reason(full)
    rows = [etree.tostring(el) for el in xp(full, items)]
    n = len(rows)
    assert n >= 2, "the listing needs two rows to show paging"
    assert counts(full) == [str(n), str(n), "1"]
    for start, maximum in ((1, 1), (2, 1), (n, 1), (n, 500), (2, n - 1), (1, n + 5)):
        root = window(start, maximum)
        chosen = rows[start - 1:start - 1 + maximum]
        assert [etree.tostring(el) for el in xp(root, items)] == chosen, (start, maximum)
        assert counts(root) == [str(n), str(len(chosen)), str(start)], (start, maximum)
    assert exception_id(window(n + 1, 1)) == "000015"
    assert exception_id(window(n + 100, 500)) == "000015"
    assert exception_id(window(1, 0)) == "999999"
    return n
