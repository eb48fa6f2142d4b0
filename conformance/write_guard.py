"""Which steps write to a site, what undoes each write, and whether a target may be written to.

A QA engineer points the suite at a staging site; sooner or later someone points it at
production.  So every step is classified from its API (read, create, change or delete),
every create must have a way to be removed, every change to state the case did not
create must have a way to be read first and put back, and a delete may only ever touch
what the case itself created.  The loader asks ``problems(case)`` and refuses a case
that breaks one of these rules, naming the step and the reason; ``decide`` is the one
place that says whether a target may be written to at all (the boundary tests use it
too).  Pure: no I/O here; ``case_undo`` does the sending.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from lxml import etree

from .templating import xml_escape

__all__ = [
    "WRITE_KINDS", "classify", "step_write", "writes_of", "write_summary", "Undo", "CREATES", "NO_RECORD_IDS", "findable",
    "plan_deleting", "CONTAINED",
    "OWNER_KEYS", "own_steps", "Restore", "RESTORES", "problems", "Decision", "decide", "decide_from_options",
    "blocked", "body_tree", "key_texts", "local",
]

WRITE_KINDS = ("read", "create", "change", "delete")

# Every API the suite or the reference server knows, by what it does to the site.  An API
# not listed is classified by its name (Get*/Lst* read, Create*/Register*/Add* create,
# Set*/Upload*/Update* change, Del* delete) and anything else counts as a change: an
# unknown verb is never assumed harmless.
_TABLE: dict[str, str] = {
    "CreateMeeting": "create", "CreateEvent": "create", "CreateTrainingSession": "create",
    "CreateSupportSession": "create", "CreateUser": "create", "CreateContacts": "create",
    "CreateMeetingAttendee": "create", "RegisterMeetingAttendee": "create",
    "SetMeeting": "change", "SetEvent": "change", "SetTrainingSession": "change", "SetUser": "change",
    "SetSite": "change", "SetSiteFT": "change", "SetContact": "change", "UploadPMRImage": "change",
    "DelMeeting": "delete", "DelEvent": "delete", "DelTrainingSession": "delete", "DelUser": "delete",
    "DelContacts": "delete", "DelRecording": "delete", "DelMeetingAttendee": "delete",
    "GetAPIVersion": "read", "GetSessionInfo": "read", "GetMeeting": "read", "GetEvent": "read",
    "GetTrainingSession": "read", "GetSite": "read", "GetSiteFT": "read", "GetUser": "read",
    "GetUserCard": "read", "GetMe": "read", "LstsummaryUser": "read", "LstMeeting": "read",
    "LstsummaryMeeting": "read", "LstRecording": "read", "LstContact": "read", "LstContacts": "read",
    "LstsummarySession": "read", "LstMeetingAttendee": "read",
}
_BY_PREFIX = (("get", "read"), ("lst", "read"), ("create", "create"), ("register", "create"),
              ("add", "create"), ("set", "change"), ("upload", "change"), ("update", "change"),
              ("del", "delete"))


def classify(api: str) -> str:
    """"read", "create", "change" or "delete" for an API name (``CreateMeeting`` or
    ``meeting.CreateMeeting``)."""
    name = api.split(".")[-1]
    if name in _TABLE:
        return _TABLE[name]
    low = name.lower()
    for prefix, kind in _BY_PREFIX:
        if low.startswith(prefix):
            return kind
    return "change"


def step_write(step: Any) -> str:
    """What a step does to the site: its ``write`` override, else its API's class."""
    return getattr(step, "write", None) or classify(step.api)


def writes_of(case: Any, version: Any = None) -> list[tuple[Any, str]]:
    """(step, kind) for every step of ``case`` that is not a read; with ``version``, only
    the steps sent at that version (a judged step without an expectation there is not)."""
    out = []
    for s in case.steps:
        if version is not None and s.judged:
            e = s.expectation_for(version)
            if e is None or e.not_applicable:
                continue
        if (k := step_write(s)) != "read":
            out.append((s, k))
    return out


def write_summary(case: Any) -> dict[str, Any]:
    """What ``webex-conformance list`` shows: each writing step's API and class."""
    return {"writes": [(s.api, k) for s, k in writes_of(case)],
            "embedded_only": getattr(case, "embedded_only", None)}


# --------------------------------------------------------------- what undoes a write

@dataclass(frozen=True)
class Undo:
    """How an object a create makes is found and removed again."""
    kind: str              # what it is, for people: "meeting", "user"...
    key_from: str          # "response": an XPath into the answer; "request": an element of the body
    key: str               # the XPath or the element's local name
    delete_api: str        # service.Api that removes it
    delete_body: str       # with {key}
    mark: str              # element of the create body that names the object (should carry the run's tag)
    since: str | None = None   # the first version whose delete API exists (before it: cannot be undone)
    absent: tuple[str, ...] = ()   # exceptionIDs of the delete meaning "no such object": nothing is left
    listed_as: str | None = None   # its serviceType in ep.LstsummarySession: found there by the run's tag

    def delete_body_for(self, keys: list[str]) -> str:
        return "".join(self.delete_body.format(key=xml_escape(k, quotes=False)) for k in keys)

    def undoable_at(self, version: Any) -> bool:
        from .versions import parse_version
        return self.since is None or version is None or version >= parse_version(self.since)


# "Sorry, no record found": real servers send 000015, the notes print 00015.
NO_RECORD_IDS = ("000015", "00015")

CREATES: dict[str, Undo] = {
    "meeting.CreateMeeting": Undo("meeting", "response", "//meet:meetingkey", "meeting.DelMeeting",
                                  "<meetingKey>{key}</meetingKey>", "confName", listed_as="MeetingCenter"),
    "event.CreateEvent": Undo("event", "response", "//event:sessionKey", "event.DelEvent",
                              "<sessionKey>{key}</sessionKey>", "sessionName", listed_as="EventCenter"),
    "training.CreateTrainingSession": Undo("training session", "response", "//train:sessionkey",
                                           "training.DelTrainingSession", "<sessionKey>{key}</sessionKey>",
                                           "confName", listed_as="TrainingCenter"),
    "user.CreateUser": Undo("user", "request", "webExId", "user.DelUser", "<webExId>{key}</webExId>", "webExId",
                            absent=("030001",)),
    "ep.CreateContacts": Undo("contact", "request", "email", "ep.DelContacts", "<email>{key}</email>", "name",
                              since="11.0.0 SP12", absent=NO_RECORD_IDS),
}

def findable(entry: dict[str, Any]) -> Undo | None:
    """The plan by which a create whose key never came back (a ledger entry or a leftover
    record without an undo) is looked for by the run's tag in its name, or None."""
    undo = entry.get("undo")
    if entry.get("op") not in (None, "pending", "failed") or (isinstance(undo, dict) and undo.get("api")) \
            or not isinstance(entry.get("tag"), str) or not entry["tag"] or not entry.get("tagged") \
            or entry.get("action", "delete") != "delete":
        return None   # "tagged": the create's name carried the tag (else finding none proves nothing)
    return next((p for p in CREATES.values() if p.kind == entry.get("what") and p.listed_as), None)


def plan_deleting(api: Any) -> Undo | None:
    """The create plan whose delete is ``api`` (what a "no such object" answer to it means)."""
    return next((p for p in CREATES.values() if p.delete_api == api), None)


# Creates whose object lives inside another one (attendees and registrations of a
# meeting): removed with their parent, so the parent must be one the case created.
CONTAINED: dict[str, str] = {
    "attendee.CreateMeetingAttendee": "sessionKey",
    "attendee.RegisterMeetingAttendee": "sessionKey",
}

# The body elements that name the object a change or a delete acts on.
OWNER_KEYS: dict[str, tuple[str, ...]] = {
    "meeting.SetMeeting": ("meetingKey",), "meeting.DelMeeting": ("meetingKey",),
    "event.SetEvent": ("sessionKey",), "event.DelEvent": ("sessionKey",),
    "training.SetTrainingSession": ("sessionKey",), "training.DelTrainingSession": ("sessionKey",),
    "user.SetUser": ("webExId",), "user.DelUser": ("webExId",),
    "ep.SetContact": ("contactEmail",), "ep.DelContacts": ("email",),
    "ep.DelRecording": ("recordingID",), "attendee.DelMeetingAttendee": ("attendeeID",),
}


@dataclass(frozen=True)
class Restore:
    """How state a change step edits is read before and written back after."""
    what: str                                        # for people: "site settings"
    read_api: str                                    # service.Api that reads the prior values
    read_body: Callable[[etree._Element], str]       # change body tree -> read request body
    rebuild: Callable[[etree._Element, etree._Element], str]  # (change body, read answer) -> restore body


def local(el: Any) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def body_tree(body: str) -> etree._Element:
    """A step body (a fragment, maybe several top-level elements, maybe prefixed) as one tree."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(f"<body>{body}</body>".encode("utf-8"), parser)
    return root if root is not None else etree.Element("body")


def _find_local(scope: etree._Element, name: str) -> list[etree._Element]:
    low = name.lower()
    return [el for el in scope.iter() if isinstance(el.tag, str) and local(el).lower() == low]


def key_texts(tree: etree._Element, names: Iterable[str]) -> list[str]:
    """The texts of every element named one of ``names`` (any depth, any case)."""
    out = []
    for name in names:
        out += [(el.text or "").strip() for el in _find_local(tree, name)]
    return out


def _leaf_paths(el: etree._Element, path: tuple[str, ...] = ()) -> Iterable[tuple[str, ...]]:
    kids = [c for c in el if isinstance(c.tag, str)]
    if not kids and path:
        yield path
    for c in kids:
        yield from _leaf_paths(c, path + (local(c),))


def _lookup(scope: etree._Element | None, path: tuple[str, ...]) -> str:
    if scope is None:
        return ""
    for start in _find_local(scope, path[0]):
        node = start
        for name in path[1:]:
            node = next((c for c in node if isinstance(c.tag, str) and local(c).lower() == name.lower()), None)
            if node is None:
                break
        if node is not None:
            return (node.text or "").strip()
    return ""


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _rebuild(el: etree._Element, scope: etree._Element | None, keep: tuple[str, ...],
             path: tuple[str, ...] = ()) -> str:
    out = []
    for c in el:
        if not isinstance(c.tag, str):
            continue
        name = local(c)
        kids = [k for k in c if isinstance(k.tag, str)]
        if not path and name.lower() in {k.lower() for k in keep}:
            out.append(f"<{name}>{_xml((c.text or '').strip())}</{name}>")
        elif kids:
            out.append(f"<{name}>{_rebuild(c, scope, keep, path + (name,))}</{name}>")
        else:
            out.append(f"<{name}>{_xml(_lookup(scope, path + (name,)))}</{name}>")
    return "".join(out)


def _mirror(scope_of: Callable[[etree._Element, etree._Element], etree._Element | None],
            keep: tuple[str, ...] = ()) -> Callable[[etree._Element, etree._Element], str]:
    """Restore body: the change body's own shape, each value read from the answer (the key
    elements in ``keep`` copied as they were)."""
    def rebuild(change: etree._Element, answer: etree._Element) -> str:
        return _rebuild(change, scope_of(change, answer), keep)
    return rebuild


def _whole(_change: etree._Element, answer: etree._Element) -> etree._Element:
    return answer


def _first(name: str) -> Callable[[etree._Element, etree._Element], etree._Element | None]:
    def scope(_change: etree._Element, answer: etree._Element) -> etree._Element | None:
        found = _find_local(answer, name)
        return found[0] if found else None
    return scope


def _contact_scope(change: etree._Element, answer: etree._Element) -> etree._Element | None:
    email = (key_texts(change, ("contactEmail",)) or [""])[0].lower()
    for contact in _find_local(answer, "contact"):
        if any((e.text or "").strip().lower() == email for e in _find_local(contact, "email")):
            return contact
    return None


def _keyed(read_key: str, *names: str) -> Callable[[etree._Element], str]:
    def read_body(change: etree._Element) -> str:
        value = (key_texts(change, names) or [""])[0]
        return f"<{read_key}>{_xml(value)}</{read_key}>"
    return read_body


def _toggle_names(change: etree._Element) -> str:
    return "".join(f"<name>{_xml(n)}</name>" for t in _find_local(change, "featureToggle")
                   for n in key_texts(t, ("name",))[:1])


def _toggle_values(change: etree._Element, answer: etree._Element) -> str:
    old = {}
    for t in _find_local(answer, "featureToggle"):
        names, values = key_texts(t, ("name",)), key_texts(t, ("value",))
        if names:
            old[names[0]] = values[0] if values else ""
    parts = []
    for t in _find_local(change, "featureToggle"):
        name = (key_texts(t, ("name",)) or [""])[0]
        # a toggle that did not exist before is written back empty: in the toggle shape of
        # site.xsd an empty value removes a toggle (our design; the notes show no body)
        parts.append(f"<featureToggle><name>{_xml(name)}</name><value>{_xml(old.get(name, ''))}</value></featureToggle>")
    return "".join(parts)


def _no_key(_change: etree._Element) -> str:
    return ""


RESTORES: dict[str, Restore] = {
    "site.SetSite": Restore("site settings", "site.GetSite", _no_key, _mirror(_first("siteInstance"))),
    "site.SetSiteFT": Restore("feature toggles", "site.GetSiteFT", _toggle_names, _toggle_values),
    "user.SetUser": Restore("user", "user.GetUser", _keyed("webExId", "webExId"), _mirror(_whole, ("webExId",))),
    "meeting.SetMeeting": Restore("meeting", "meeting.GetMeeting", _keyed("meetingKey", "meetingKey"),
                                  _mirror(_whole, ("meetingKey",))),
    "event.SetEvent": Restore("event", "event.GetEvent", _keyed("sessionKey", "sessionKey"),
                              _mirror(_whole, ("sessionKey",))),
    "training.SetTrainingSession": Restore("training session", "training.GetTrainingSession",
                                           _keyed("sessionKey", "sessionKey"), _mirror(_whole, ("sessionKey",))),
    "ep.SetContact": Restore("contact", "ep.LstContact", lambda _c: "", _mirror(_contact_scope, ("contactEmail",))),
}


# ------------------------------------------------------------------ the loader's rules

_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


def _owned(text: str, made: set[str]) -> bool:
    """A key the case itself made: it carries the run's unique string, or a variable
    captured from one of the case's own creates.  Such an object did not exist before the
    run, so acting on it cannot touch the site's own data."""
    names = _PLACEHOLDER.findall(text)
    return bool(names) and any(n == "run.unique" or n in made for n in names)


def _api(step: Any) -> str:
    return f"{step.service}.{step.api}"


def _texts_of(step: Any, names: tuple[str, ...]) -> list[str]:
    trees = [body_tree(step.body)] + [body_tree(t) for _n, t in getattr(step, "templates", ())]
    out: list[str] = []
    for tree in trees:
        out += key_texts(tree, names)
    return out


def own_steps(case: Any) -> set[int]:
    """Indexes of the change and delete steps that act only on objects the case made itself
    (nothing to save before them: the objects are deleted at the end anyway)."""
    made: set[str] = set()
    out: set[int] = set()
    for step in case.steps:
        kind, api = step_write(step), _api(step)
        if kind in ("change", "delete") and api in OWNER_KEYS:
            keys = _texts_of(step, OWNER_KEYS[api])
            if keys and all(_owned(k, made) for k in keys):
                out.add(step.index)
        if kind == "create":
            made.update(var for var, _xp in step.capture)
    return out


def problems(case: Any) -> list[tuple[int, str]]:
    """(step index, reason) for each write ``case`` does not undo and the cleanup cannot.

    Empty for a safe case.  A case marked ``embedded_only`` (with its reason) is exempt: it
    never runs against anything but the embedded reference server.
    """
    if getattr(case, "embedded_only", None):
        return []
    made: set[str] = set()
    out: list[tuple[int, str]] = []
    for step in case.steps:
        kind, api = step_write(step), _api(step)
        if kind == "create":
            if api in CONTAINED:
                keys = _texts_of(step, (CONTAINED[api],))
                if not keys or not all(_owned(k, made) for k in keys):
                    out.append((step.index, f"{step.api} adds to an object the case did not create "
                                            f"({CONTAINED[api]} = {', '.join(keys) or 'missing'}); only its "
                                            f"parent's deletion removes what it adds"))
            elif api not in CREATES:
                out.append((step.index, f"no API removes what {step.api} creates (known: "
                                        f"{', '.join(sorted(a.split('.')[1] for a in CREATES))})"))
            made.update(var for var, _xp in step.capture)
        elif kind == "change":
            keys = _texts_of(step, OWNER_KEYS.get(api, ()))
            if keys and all(_owned(k, made) for k in keys) and api in OWNER_KEYS:
                continue  # changes an object of the case's own, removed at the end anyway
            if api in RESTORES:
                continue  # prior values read before, written back at the end of the case
            out.append((step.index, f"{step.api} changes state the case did not create and has no way "
                                    f"to read and restore it (restorable: "
                                    f"{', '.join(sorted(a.split('.')[1] for a in RESTORES))})"))
        elif kind == "delete":
            keys = _texts_of(step, OWNER_KEYS.get(api, ()))
            if not keys or not all(_owned(k, made) for k in keys):
                out.append((step.index, f"{step.api} deletes an object the case did not create "
                                        f"({', '.join(keys) or 'no key element'}): deletes run only on "
                                        f"what the case itself created"))
    return out


# --------------------------------------------------------------------- the decision

@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""      # why not (the skip reason), or how it was allowed


def decide(target: Any, allow_writes: bool = False, i_know_this_is_production: bool = False) -> Decision:
    """Whether ``target`` may be written to: the embedded reference server always; any
    other endpoint only with --allow-writes (or its config's ``allow_writes = true``), never
    when its config says ``allow_writes = false``, and a production target only with
    --i-know-this-is-production as well."""
    if getattr(target, "embedded", False):
        return Decision(True, "the embedded reference server")
    safety = getattr(target, "safety", None)
    configured = getattr(safety, "allow_writes", None)
    name = getattr(target, "name", "target")
    if configured is False:
        return Decision(False, f"target {name!r} forbids writes (allow_writes = false in its configuration)")
    if not (allow_writes or configured):
        return Decision(False, f"writes to {name!r} need --allow-writes (or allow_writes = true for the target)")
    if getattr(safety, "production", False) and not i_know_this_is_production:
        return Decision(False, f"target {name!r} is production: writes need --i-know-this-is-production "
                               f"as well as --allow-writes")
    return Decision(True, "--allow-writes" if allow_writes else "allow_writes = true in the configuration")


def decide_from_options(target: Any, options: Any) -> Decision:
    """``decide`` with the flags read from a pytest ``config.option`` or an argparse namespace."""
    return decide(target, bool(getattr(options, "allow_writes", False)),
                  bool(getattr(options, "i_know_this_is_production", False)))


def blocked(case: Any, target: Any, decision: Decision | None, version: Any = None) -> str | None:
    """The skip reason when ``case`` may not run on ``target`` (at ``version``), else None."""
    writes = writes_of(case, version)
    if not writes:
        return None
    if getattr(target, "embedded", False):
        return None
    if getattr(case, "embedded_only", None):
        return f"runs against the embedded reference server only: {case.embedded_only}"
    decision = decision or decide(target)
    if not decision.allowed:
        return f"writes to the site ({', '.join(sorted({k for _s, k in writes}))}); {decision.reason}"
    for s, k in writes:
        plan = CREATES.get(_api(s)) if k == "create" else None
        if plan is not None and not plan.undoable_at(version):
            return (f"runs against the embedded reference server only at {version}: nothing removes what "
                    f"{s.api} creates before {plan.since} ({plan.delete_api.split('.')[1]} is new there)")
    return None
