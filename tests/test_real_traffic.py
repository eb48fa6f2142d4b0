"""Real clients' requests (shared/real-traffic) replayed against the reference server.

Every request there is sent with its credentials replaced by a seeded account's, and must
get a well-formed answer of the documented shape: a SUCCESS valid against our schema
bundle, or a FAILURE with an exceptionID and a reason.  ``EXPECTED`` says which: a
change that turns a SUCCESS into a FAILURE (or back) fails here.

Every real SUCCESS reply there has a counterpart: our answer to the same request (keys
substituted by seeded ones) is valid against the schema the real reply is valid against
(the vendor's legacy bundle where it covers the reply, ours otherwise) and has the real
reply's element structure: every element path of the real reply, in the real reply's
order, is in ours (ours may carry more, as newer servers do).  Values aside.

shared/ is read here only; nothing of it is copied into the project.  Without it (a fresh
clone) the module is skipped.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import requests
from lxml import etree

from conformance.namespaces import NS, SERVICES
from conformance.response import parse_message
from conformance.schemas import bundle_for, load_bundle
from conformance.server.serve import ReferenceServer

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TRAFFIC = SHARED / "real-traffic"
LEGACY = SHARED / "reference" / "webex-xsd-legacy"
if not (TRAFFIC / "INDEX.tsv").is_file():
    pytest.skip("shared/real-traffic is not beside this checkout", allow_module_level=True)

VERSION = "42.6.0"
ROWS = list(csv.DictReader((TRAFFIC / "INDEX.tsv").open(encoding="utf-8"), delimiter="\t"))
REQUESTS = [r for r in ROWS if r["kind"] == "request"]
SUCCESSES = [r for r in ROWS if r["kind"] == "response" and r["result"] == "SUCCESS"]

# The answer each request gets once only its credentials are ours: SUCCESS, or the FAILURE
# code (the keys and users real clients name do not exist on the seeded site: 060001,
# 030001, 000015; broken templates: see NOT_A_REQUEST_ANY_SERVER_TAKES below).
EXPECTED: dict[str, str] = {
    "001-CreateMeeting-request.xml": "000000",   # xmlns:xsi undeclared: refused as real sites do (062)
    "002-CreateTeleconferenceSession-request.xml": "000000",
    "003-CreateMeeting-request.xml": "SUCCESS",
    "004-CreateTeleconferenceSession-request.xml": "SUCCESS",
    "005-DelMeeting-request.xml": "060001",
    "006-GetMeeting-request.xml": "060001",
    "007-GetTeleconferenceSession-request.xml": "060001",
    "008-GethosturlMeeting-request.xml": "060001",
    "009-GetjoinurlMeeting-request.xml": "060001",
    "010-LstsummaryMeeting-request.xml": "SUCCESS",
    "011-SetMeeting-request.xml": "060001",
    "026-GetAPIVersion-request.xml": "SUCCESS",
    "027-GetSiteAdminNavUrl-request.xml": "SUCCESS",
    "028-FlushWebCache-request.xml": "SUCCESS",
    "029-AuthenticateUser-request.xml": "SUCCESS",
    "030-CreateMeeting-request.xml": "SUCCESS",
    "033-DelMeeting-request.xml": "060001",
    "036-GetMeeting-request.xml": "060001",
    "038-GetjoinurlMeeting-request.xml": "060001",
    "040-GetUser-request.xml": "030001",
    "043-CreateMeeting-request.xml": "SUCCESS",
    "045-LstsummaryMeeting-request.xml": "SUCCESS",
    "049-GetLoginTicket-request.xml": "SUCCESS",
    "050-GetloginurlUser-request.xml": "030001",
    "051-LstsummarySession-request.xml": "000015",
    "052-LstMeetingAttendee-request.xml": "060001",
    "053-GetSite-request.xml": "SUCCESS",
    "054-AuthenticateUser-request.xml": "SUCCESS",
    "057-LstmeetingattendeeHistory-request.xml": "000015",
    "060-LstMeetingAttendee-request.xml": "060001",
    "061-CreateMeeting-request.xml": "SUCCESS",
    "066-CreateMeeting-request.xml": "SUCCESS",
    "067-LstsummaryMeeting-request.xml": "SUCCESS",
    "068-SetMeeting-request.xml": "060001",
    "069-SetMeeting-request.xml": "060001",
    "070-DelRecording-request.xml": "000015",
    "071-DelUser-request.xml": "030001",
    "072-GetUser-request.xml": "030001",
    "073-CreateMeeting-request.xml": "060065",
    "074-CreateMeetingAttendee-request.xml": "999999",
    "075-GetMeeting-request.xml": "060001",
    "077-SetUser-request.xml": "030001",
}

_SECURITY = re.compile(rb"(<(?:[\w.-]+:)?securityContext\b[^>]*>)(.*?)(</(?:[\w.-]+:)?securityContext\s*>)", re.S | re.I)
_FIELD = re.compile(rb"<((?:[\w.-]+:)?)(\w+)(\s[^>]*)?(?:/>|>[^<]*</\1\2\s*>)", re.S)


@pytest.fixture(scope="module")
def srv():
    with ReferenceServer(VERSION) as s:
        yield s


@pytest.fixture(scope="module")
def ticket(srv):
    return issue_ticket(srv)


def issue_ticket(srv) -> str:
    """A session ticket of the admin account, as AuthenticateUser hands it out."""
    acc = srv.info["accounts"]["admin"]
    body = (f'<serv:message xmlns:serv="{NS["serv"]}" xmlns:xsi="{NS["xsi"]}"><header><securityContext>'
            f'<webExID>{acc["webExID"]}</webExID><password>{acc["password"]}</password><siteName>refsite</siteName>'
            f'</securityContext></header><body><bodyContent xsi:type="java:com.webex.service.binding.user.'
            f'AuthenticateUser"/></body></serv:message>').encode()
    root = etree.fromstring(requests.post(srv.url, data=body, timeout=30).content)
    return root.findtext(".//{%s}sessionTicket" % NS["use"])


def credentials(srv, ticket: str) -> dict[str, str]:
    acc = srv.info["accounts"]["admin"]
    main = srv.info["sites"]["main"]
    return {"webexid": acc["webExID"], "password": acc["password"], "sitename": main["siteName"],
            "siteid": main["siteID"], "partnerid": main["partnerID"], "sessionticket": ticket,
            "accesstoken": srv.info["accessToken"], "email": f"{acc['webExID']}@{main['siteName']}.example.com"}


def substitute(data: bytes, creds: dict[str, str]) -> bytes:
    """``data`` with every securityContext value replaced by ours (templates and redactions included)."""
    def field(m: re.Match) -> bytes:
        prefix, name = m[1], m[2]
        value = creds.get(name.decode().lower())
        if value is None:
            return m[0]
        return b"<%s%s>%s</%s%s>" % (prefix, name, value.encode(), prefix, name)

    def block(m: re.Match) -> bytes:
        return m[1] + _FIELD.sub(field, m[2]) + m[3]

    data = _SECURITY.sub(block, data)
    # AuthenticateUser carries the OAuth token in its body (real-traffic 029, 054)
    return re.sub(rb"(<accessToken>)[^<]*(</accessToken>)", rb"\g<1>" + creds["accesstoken"].encode() + rb"\g<2>", data)


def post(srv, data: bytes) -> bytes:
    r = requests.post(srv.url, data=data, headers={"Content-Type": "text/xml"}, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/xml")
    return r.content


def request_service_api(data: bytes) -> tuple[str, str] | None:
    m = re.search(rb"java:com\.webex\.service\.binding\.([A-Za-z.]+)\.([A-Za-z0-9_]+)", b" ".join(data.split()))
    if not m:
        return None
    return m[1].decode(), m[2].decode()


def check_documented_shape(content: bytes, expected_service: tuple[str, str] | None) -> tuple[str, str]:
    """(result, exceptionID or "") of a well-formed answer of the documented shape; assert otherwise."""
    root = etree.fromstring(content)                       # strict: well-formed and namespace-well-formed
    assert root.tag == "{%s}message" % NS["serv"]
    ns = {"serv": NS["serv"]}
    result = root.findtext("serv:header/serv:response/serv:result", namespaces=ns)
    assert result in ("SUCCESS", "FAILURE")
    content_el = root.find("serv:body/serv:bodyContent", ns)
    assert content_el is not None
    if result == "FAILURE":
        code = root.findtext("serv:header/serv:response/serv:exceptionID", namespaces=ns)
        assert re.fullmatch(r"\d{6}", code or "") and root.findtext("serv:header/serv:response/serv:reason",
                                                                     namespaces=ns)
        return result, code
    service, api = expected_service
    prefix, uri = SERVICES[service]
    xsi_type = content_el.get("{%s}type" % NS["xsi"])
    assert xsi_type == f"{prefix}:{api[0].lower()}{api[1:]}Response"
    assert content_el.nsmap.get(prefix) == uri
    issues = bundle_for(VERSION).validate(parse_message(content).root)
    assert issues == [], [i.message for i in issues]
    return result, ""


_KEY = re.compile(rb"(<(?:[\w.-]+:)?(meetingKey|meetingkey|sessionKey|recordingID|webExId|webExID|hostWebExID)>)"
                  rb"[^<]*(</)")


def with_keys(data: bytes, service: str, values: dict[str, str]) -> bytes:
    """``data`` with the keys and user names its body names replaced by seeded ones (securityContext kept)."""
    head, sep, body = data.partition(b"</header>")
    if not sep:
        head, body = b"", data
    keys = {b"recordingID": values["recordings.deletable"], b"webExId": "host2", b"webExID": "host2",
            b"hostWebExID": "host1"}
    meeting = values["sessions.teleconference"] if service == "meeting.auo" else values["sessions.meeting"]
    return head + sep + _KEY.sub(lambda m: m[1] + keys.get(m[2], meeting).encode() + m[3], body)


@pytest.mark.parametrize("row", REQUESTS, ids=lambda r: r["file"])
def test_every_real_request_gets_a_documented_answer(srv, ticket, row):
    data = substitute((TRAFFIC / row["file"]).read_bytes(), credentials(srv, ticket))
    result, code = check_documented_shape(post(srv, data), request_service_api(data))
    assert ("SUCCESS" if result == "SUCCESS" else code) == EXPECTED[row["file"]]


# With keys and user names of the seeded site, a request a real client sent succeeds unless
# it is a broken template: these are the exceptions, and why.
NOT_A_REQUEST_ANY_SERVER_TAKES = {
    "001-CreateMeeting-request.xml": "000000",   # no xmlns:xsi: the client's bug that 062 answers
    "002-CreateTeleconferenceSession-request.xml": "000000",   # not well-formed
    "073-CreateMeeting-request.xml": "060065",   # a skeleton with an empty confName
    "074-CreateMeetingAttendee-request.xml": "999999",   # a skeleton with no attendee
}


@pytest.mark.parametrize("row", REQUESTS, ids=lambda r: r["file"])
def test_every_real_request_succeeds_with_the_seeded_sites_keys(row):
    with ReferenceServer(VERSION) as fresh:      # fresh: a DelMeeting must not starve the next GetMeeting
        creds = credentials(fresh, issue_ticket(fresh))
        data = substitute((TRAFFIC / row["file"]).read_bytes(), creds)
        service_api = request_service_api(data)
        if service_api:
            data = with_keys(data, service_api[0], fresh.values)
        result, code = check_documented_shape(post(fresh, data), service_api)
    assert (result if result == "SUCCESS" else code) == NOT_A_REQUEST_ANY_SERVER_TAKES.get(row["file"], "SUCCESS")


# -- counterparts of the real SUCCESS replies ----------------------------------------------

def _parse_leniently(data: bytes) -> etree._Element:
    """A real reply as recorded; a few were hand-assembled and are not well-formed (recovered)."""
    return etree.fromstring(data.lstrip(), etree.XMLParser(recover=True, resolve_entities=False, no_network=True))


def structure(root: etree._Element, prefixed: bool = False) -> list[str]:
    """The element paths under bodyContent by local name (``prefixed``: prefix:local), each once, in
    document order."""
    content = next(root.iter("{*}bodyContent"), None)
    seen: dict[str, None] = {}

    def walk(el: etree._Element, path: str) -> None:
        for child in el:
            if isinstance(child.tag, str):
                local = child.tag.rpartition('}')[2].rpartition(':')[2]   # recovered tags keep a prefix
                here = f"{path}/{child.prefix}:{local}" if prefixed else f"{path}/{local}"
                seen.setdefault(here, None)
                walk(child, here)
    if content is not None:
        walk(content, "")
    return list(seen)


def missing_or_out_of_order(real: list[str], ours: list[str]) -> list[str]:
    """The real paths that are not in ours in the real order (empty: real is a subsequence of ours)."""
    position = {p: i for i, p in enumerate(ours)}
    out, last = [], -1
    for p in real:
        if p not in position or position[p] < last:
            out.append(p)
        else:
            last = position[p]
    return out


def _request_for(row: dict[str, str]) -> str | None:
    same_source = [r for r in REQUESTS if r["api"] == row["api"] and r["source_repo"] == row["source_repo"]]
    any_source = [r for r in REQUESTS if r["api"] == row["api"]
                  and r["file"] not in NOT_A_REQUEST_ANY_SERVER_TAKES]
    chosen = (same_source or any_source or [None])[0]
    return chosen["file"] if chosen else None


# what we send where real traffic has no request for the reply's API: (service, body)
_OWN_REQUESTS = {
    "GetSiteAdminNavUrl": ("site", "<type>Report</type>"),
    "GetAPIVersion": ("ep", "<returnTrainReleaseVersion>true</returnTrainReleaseVersion>"),
    "LstMeetingType": ("meetingtype", ""),
    "LstsummaryEvent": ("event", ""),
}
_SERVICE_OF = {"GetUser": "user", "GetSite": "site", "GetMeeting": "meeting", "CreateMeeting": "meeting",
               "DelMeeting": "meeting", "GetjoinurlMeeting": "meeting", "GethosturlMeeting": "meeting",
               "AuthenticateUser": "user", "LstmeetingattendeeHistory": "history"}


OLDEST = "11.0.0 SP10"


def our_answer(row: dict[str, str], version: str = VERSION) -> bytes:
    with ReferenceServer(version) as fresh:
        creds = credentials(fresh, issue_ticket(fresh))
        file = _request_for(row)
        if file is not None:
            data = (TRAFFIC / file).read_bytes()
        else:
            service, body = _OWN_REQUESTS[row["api"]]
            data = (f'<serv:message xmlns:serv="{NS["serv"]}" xmlns:xsi="{NS["xsi"]}"><header><securityContext>'
                    f'<webExID/><password/><siteName/></securityContext></header><body><bodyContent xsi:type='
                    f'"java:com.webex.service.binding.{service}.{row["api"]}">{body}</bodyContent></body>'
                    f'</serv:message>').encode()
        data = substitute(data, creds)
        service_api = request_service_api(data)
        data = with_keys(data, service_api[0], fresh.values)
        return post(fresh, data)


_LEGACY = None


def legacy_bundle():
    global _LEGACY  # noqa: PLW0603 - one compiled bundle for the module's tests
    if _LEGACY is None:
        _LEGACY = load_bundle(LEGACY)
    return _LEGACY


def _schema_for(real: bytes):
    """(bundle, its name, the version to ask): the legacy bundle and our oldest version if the real
    reply is valid against it (an old server's answer), else ours at the newest (newer elements)."""
    try:
        root = parse_message(real).root
    except Exception:   # noqa: BLE001 - a malformed real reply: judged by ours
        return bundle_for(VERSION), "ours", VERSION
    if LEGACY.is_dir() and not legacy_bundle().validate(root):
        return legacy_bundle(), "legacy", OLDEST
    return bundle_for(VERSION), "ours", VERSION


@pytest.mark.parametrize("row", SUCCESSES, ids=lambda r: r["file"])
def test_our_answer_to_a_real_request_is_shaped_like_the_real_reply(row):
    real_bytes = (TRAFFIC / row["file"]).read_bytes()
    bundle, which, version = _schema_for(real_bytes)
    ours = our_answer(row, version)
    root = etree.fromstring(ours)
    assert root.findtext(".//{%s}result" % NS["serv"]) == "SUCCESS", root.findtext(".//{%s}reason" % NS["serv"])
    issues = bundle.validate(parse_message(ours).root)
    assert issues == [], (which, [i.message for i in issues][:5])
    gaps = missing_or_out_of_order(structure(_parse_leniently(real_bytes)), structure(root))
    assert gaps == [], f"{len(gaps)} element paths of {row['file']} missing or out of order: {gaps[:12]}"


def test_our_getsite_has_the_real_replys_prefixes_and_namespaces():
    """ns1: for the site's elements, serv: for the teleconference servers' numbers, as in real-traffic 022."""
    row = next(r for r in SUCCESSES if r["api"] == "GetSite")
    real = etree.fromstring((TRAFFIC / row["file"]).read_bytes())
    ours = etree.fromstring(our_answer(row))
    assert missing_or_out_of_order(structure(real, prefixed=True), structure(ours, prefixed=True)) == []
    for prefix in ("serv", "ns1"):
        assert ours.nsmap[prefix] == real.nsmap[prefix]
