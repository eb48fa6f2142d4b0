"""Undo what one case did to the site, whatever way the case ends.

Around each step the runner calls ``before`` and ``after``, and ``finish`` in a
``finally``: a create is entered in the ledger as pending before it is sent and gets its
key (read from the answer, or from the request for users and contacts) when it
succeeds; a change to state the case did not create is preceded by a read of the prior
values (the ``write_guard.RESTORES`` plan) and entered with the request that writes them
back; a delete of the case's own object closes its entry.  ``finish`` then deletes and
restores, newest first.  Whatever could not be undone stays open in the ledger for the
end-of-run sweep (``sweep``) and, failing that, the run's leftovers.
"""
from __future__ import annotations

import contextlib
from typing import Any

from lxml import etree

from .envelope import EnvelopeError, build_envelope
from .ledger import OPEN_OPS, Ledger, _now
from .namespaces import NS
from .response import ResponseError, parse_response
from .templating import TemplateError, XMLEscaped, render
from .site_guard import WriteRefused, reserve_writes
from .transport import EndpointUnreachable, TransportError
from .write_guard import (CREATES, NO_RECORD_IDS, OWNER_KEYS, RESTORES, blocked, body_tree, findable, key_texts,
                          own_steps, plan_deleting, step_write, writes_of)
from .xmlsafe import XMLRefused, parse_untrusted

__all__ = ["CaseUndo", "refusal", "send_call", "undo_entry", "sweep"]


def refusal(case: Any, ctx: Any) -> str | None:
    """Why ``case`` may not run on ``ctx``'s target now (writes not allowed, write cap), or None."""
    version = ctx.judged_as
    why = blocked(case, ctx.target, getattr(ctx, "writes", None), version)
    if why or ctx.target.embedded:
        return why
    guard = getattr(ctx, "site_state", None)
    writes = writes_of(case, version)
    if guard is not None and writes:
        return reserve_writes(guard, ctx.target.endpoint, len(writes), ctx.target.safety.max_writes)
    return None


def _call(ctx: Any, api: str, role: str, site: str, body: str) -> tuple[Any, str | None]:
    """The parsed answer (None when there is none) and, unless it is SUCCESS, a one-line reason."""
    target = ctx.target
    access = target.sites.get(site)
    if access is None:
        return None, f"no {site} site configured"
    service, name = api.split(".")
    try:
        data = build_envelope(service, name, body, target.credential(site, role), access.site_name)
        exchange = ctx.transport.send(target.endpoint, data, idempotent=True)
        parsed = parse_response(exchange, max_bytes=target.transport.max_response_bytes)
    except (EnvelopeError, TransportError) as exc:
        return None, f"{name}: {' '.join(str(exc).split())[:200]}"
    except ResponseError as exc:
        return None, f"{name}: {exc.reason}"
    if not parsed.success:
        why = " ".join(x for x in (parsed.exception_id, parsed.reason) if x)
        return parsed, f"{name} answered {parsed.result}: {why}"[:300]
    return parsed, None


def send_call(ctx: Any, api: str, role: str, site: str, body: str) -> tuple[etree._Element | None, str | None]:
    """One request outside the case's steps (a read before a change, a delete, a restore):
    the answer's root on SUCCESS, else None and a one-line reason."""
    parsed, why = _call(ctx, api, role, site, body)
    return (None, why) if why else (parsed.root, None)


FIND_API = "ep.LstsummarySession"
FIND_PAGE, FIND_PAGES = 100, 50


def _tagged(ctx: Any, entry: dict[str, Any], plan: Any) -> tuple[list[str], str | None]:
    """Keys of the sessions of ``plan``'s kind whose names carry the entry's tag, page by page."""
    tag, role, site = entry["tag"], entry.get("role") or "host", entry.get("site") or "main"
    keys: list[str] = []
    start = 1
    for _ in range(FIND_PAGES):
        body = (f"<listControl><startFrom>{start}</startFrom><maximumNum>{FIND_PAGE}</maximumNum></listControl>"
                f"<serviceTypes><serviceType>{plan.listed_as}</serviceType></serviceTypes>")
        parsed, why = _call(ctx, FIND_API, role, site, body)
        if why:
            return keys, (None if _answered(parsed, NO_RECORD_IDS) else why)   # no record: no sessions at all
        root = parsed.root
        for session in root.iterfind(".//ep:session", NS):
            if tag in (session.findtext("ep:confName", "", NS) or ""):
                key = (session.findtext("ep:sessionKey", "", NS) or "").strip()
                if key:
                    keys.append(key)
        returned = _count(root, ".//ep:matchingRecords/serv:returned")
        total = _count(root, ".//ep:matchingRecords/serv:total")
        start += returned
        if returned == 0 or start > total:
            return keys, None
    return keys, f"{FIND_API}: more than {FIND_PAGES * FIND_PAGE} sessions: not all searched"


def _answered(parsed: Any, exception_ids: tuple[str, ...]) -> bool:
    """The call was answered with one of ``exception_ids`` (e.g. "no such object")."""
    return parsed is not None and parsed.exception_id in exception_ids


def _count(root: etree._Element, path: str) -> int:
    """A matchingRecords count; anything but digits (a broken answer) counts as none."""
    text = (root.findtext(path, "", NS) or "").strip()
    return int(text) if text.isdigit() else 0


def _find_and_delete(ctx: Any, entry: dict[str, Any], plan: Any) -> str | None:
    """A create whose answer never came: delete whatever of its kind carries the run's tag.

    Called at the end of the run (every case is done, so anything still tagged is left
    over) and by ``cleanup``; an object without the tag in its name is never touched."""
    keys, why = _tagged(ctx, entry, plan)
    for key in keys:
        answer, failed = _call(ctx, plan.delete_api, entry.get("role") or "host", entry.get("site") or "main",
                               plan.delete_body_for([key]))
        if failed and not _answered(answer, plan.absent):
            why = why or failed
    return why


def undo_entry(ctx: Any, entry: dict[str, Any]) -> str | None:
    """Send an entry's undo request; None when it worked (or there was nothing to delete), else why not.

    A delete answered "no such object" leaves nothing behind: a create whose answer never
    arrived may never have reached the site, and that is how its ``pending`` entry closes.
    A keyless one is looked for by the run's tag (``findable``)."""
    undo = entry.get("undo") if isinstance(entry.get("undo"), dict) else {}
    if not undo.get("api"):
        plan = findable(entry)
        if plan is not None:
            return _find_and_delete(ctx, entry, plan)
        return entry.get("reason") or "the key of what was created is unknown"
    parsed, why = _call(ctx, undo["api"], undo.get("role", "host"), undo.get("site", "main"), undo.get("body", ""))
    plan = plan_deleting(undo["api"])
    return None if why and plan is not None and _answered(parsed, plan.absent) else why


def _answer(record: Any) -> etree._Element | None:
    try:
        return parse_untrusted((record.response or "").encode("utf-8"))
    except (XMLRefused, ValueError):
        return None


def _succeeded(root: etree._Element | None) -> bool | None:
    """True/False from serv:result; None when there is no readable answer."""
    if root is None:
        return None
    results = root.xpath("//serv:header/serv:response/serv:result/text()", namespaces=NS)
    return None if not results else results[0].strip() == "SUCCESS"


class CaseUndo:
    """The undo bookkeeping of one case on one target (see the module docstring)."""

    def __init__(self, case: Any, ctx: Any):
        self.case = case
        self.ctx = ctx
        self.ledger: Ledger = getattr(ctx, "ledger", None) or Ledger()
        self.mine: list[str] = []                        # entry ids of this case, oldest first
        self.state: dict[str, dict[str, Any]] = {}       # entry id -> what we know
        self.bodies: dict[int, str] = {}
        self.step_entry: dict[int, str] = {}
        self.saved: dict[tuple, str] = {}                # (api, keys) -> entry id of its restore
        self.active = bool(writes_of(case))
        self.own = own_steps(case) if self.active else set()

    # -- bookkeeping ----------------------------------------------------------
    def _base(self, step: Any) -> dict[str, Any]:
        t = self.ctx.target
        return {"case": self.case.id, "step": step.name, "target": t.name, "endpoint": t.endpoint,
                "version": str(self.ctx.version), "site": step.site, "role": step.role,
                "tag": self.ctx.unique}

    def _open(self, op: str, **fields: Any) -> str:
        entry_id = self.ledger.open(op, **fields)
        self.mine.append(entry_id)
        self.state[entry_id] = {"id": entry_id, "op": op, **fields}
        return entry_id

    def _update(self, entry_id: str, op: str, **fields: Any) -> None:
        self.ledger.update(entry_id, op, **fields)
        self.state[entry_id].update({"op": op, **fields})

    def _created_keys(self) -> set[str]:
        return {e["key"] for e in self.state.values() if e.get("op") == "created" and e.get("key")}

    def _render(self, step: Any, variables: dict[str, str]) -> str | None:
        try:   # escaped as the step's own render escapes them (a body reads few of them)
            return render(step.body, XMLEscaped(variables), dict(step.templates))
        except TemplateError:
            return None   # the step itself reports it; nothing is sent

    # -- hooks ------------------------------------------------------------------
    def before(self, step: Any, variables: dict[str, str]) -> str | None:
        """Called before a step is sent; a reason ends the case without sending it."""
        if not self.active:
            return None
        kind = step_write(step)
        if kind == "read":
            return None
        api = f"{step.service}.{step.api}"
        body = self._render(step, variables)
        if body is None:
            return None
        self.bodies[step.index] = body
        if kind == "create" and api in CREATES:
            plan = CREATES[api]
            tree = body_tree(body)
            keys = [k for k in key_texts(tree, (plan.key,)) if k] if plan.key_from == "request" else []
            known: dict[str, Any] = {}
            if keys:   # named by the request: deletable even if the answer never arrives
                known = {"key": " ".join(keys), "undo": {"api": plan.delete_api, "role": step.role,
                                                         "site": step.site, "body": plan.delete_body_for(keys)}}
            elif self.ctx.unique in "".join(key_texts(tree, (plan.mark,))):
                known = {"tagged": True}   # found by the tag in its name if the answer never arrives
            self.step_entry[step.index] = self._open(
                "pending", kind="create", what=plan.kind, created_at=None, **known, **self._base(step))
        elif kind == "change" and api in RESTORES:
            return self._save(step, api, body)
        return None

    def _save(self, step: Any, api: str, body: str) -> str | None:
        tree = body_tree(body)
        keys = tuple(key_texts(tree, OWNER_KEYS.get(api, ())))
        if step.index in self.own or (keys and set(keys) <= self._created_keys()):
            return None   # our own object: deleted at the end, nothing to restore
        if (api, keys) in self.saved:
            return None   # prior values already saved by an earlier change of the case
        plan = RESTORES[api]
        answer, why = send_call(self.ctx, plan.read_api, step.role, step.site, plan.read_body(tree))
        if answer is None:
            return (f"step {step.name!r} not sent: the prior values could not be saved first "
                    f"({plan.read_api}: {why})")
        restore_body = plan.rebuild(tree, answer)
        entry = self._open("changed", kind="change", what=plan.what, key=" ".join(keys) or plan.what,
                           undo={"api": api, "role": step.role, "site": step.site, "body": restore_body},
                           **self._base(step))
        self.saved[(api, keys)] = entry
        self.step_entry[step.index] = entry
        return None

    def after(self, step: Any, record: Any, error: Any = None) -> None:
        """Called once a step's answer (or its failure) is known."""
        if not self.active:
            return
        kind = step_write(step)
        if kind == "read" or step.index not in self.bodies:
            return
        api = f"{step.service}.{step.api}"
        entry = self.step_entry.get(step.index)
        root = _answer(record) if record.response else None
        ok = _succeeded(root)
        if root is None and isinstance(error, (EndpointUnreachable, WriteRefused)):
            ok = False  # never sent: nothing was created or changed
        if kind == "create" and entry is not None:
            self._created(step, api, entry, root, ok)
        elif kind == "change" and entry is not None and ok is False:
            self._update(entry, "discarded", reason="the change failed or was never sent")
            self.saved = {k: v for k, v in self.saved.items() if v != entry}
        elif kind == "delete" and ok:
            gone = set(key_texts(body_tree(self.bodies[step.index]), OWNER_KEYS.get(api, ())))
            for eid, e in self.state.items():
                if e.get("op") == "created" and e.get("key") in gone:
                    self._update(eid, "undone", by="the case's own delete")

    def _created(self, step: Any, api: str, entry: str, root: etree._Element | None, ok: bool | None) -> None:
        plan = CREATES[api]
        if ok is False:
            self._update(entry, "discarded", reason="the create failed or was never sent")
            return
        if ok is None:
            where = (f"the delete by its {plan.key} is kept for the cleanup" if plan.key_from == "request" else
                     f"look for the run's tag {self.ctx.unique!r} in the {plan.kind}s' names")
            self._update(entry, "pending", reason=f"{step.api} got no readable answer: whether it created "
                                                  f"anything is unknown; {where}")
            return
        if plan.key_from == "response":
            keys = [k.strip() for k in root.xpath(plan.key + "/text()", namespaces=NS) if k.strip()]
        else:
            keys = [k for k in key_texts(body_tree(self.bodies[step.index]), (plan.key,)) if k]
        if not keys:
            self._update(entry, "pending", reason=f"{step.api} succeeded but its answer names no {plan.key}")
            return
        if not plan.undoable_at(self.ctx.version) and self.ctx.target.embedded:
            # only the embedded server gets here (blocked() skips the case elsewhere); it is
            # thrown away with the run
            self._update(entry, "discarded", reason=f"nothing removes a {plan.kind} before {plan.since}")
            return
        for i, key in enumerate(keys):
            undo = {"api": plan.delete_api, "role": step.role, "site": step.site,
                    "body": plan.delete_body_for([key])}
            if i == 0:
                self._update(entry, "created", key=key, undo=undo, created_at=_now())
            else:
                self._open("created", kind="create", what=plan.kind, key=key, undo=undo, created_at=_now(),
                           **self._base(step))

    def finish(self) -> None:
        """Delete what the case created and restore what it changed, newest first.

        A Ctrl-C meanwhile waits until the cleanup is done; pressed twice it abandons it (the
        end-of-run sweep and ``webex-conformance cleanup`` are still there)."""
        if not self.active:
            return
        interrupts = getattr(self.ctx, "interrupts", None)
        with interrupts.critical() if interrupts else contextlib.nullcontext():
            self._undo_all()

    def _undo_all(self) -> None:
        for entry_id in reversed(self.mine):
            e = self.state[entry_id]
            if e.get("op") not in ("pending", "created", "changed") or not e.get("undo"):
                continue   # a pending create without its delete: left to the end-of-run search by tag
            try:
                why = undo_entry(self.ctx, e)
            except Exception as exc:  # a bug of ours must not stop the other undos
                why = f"internal error: {type(exc).__name__}: {exc}"
            if why is None:
                self._update(entry_id, "undone")
            else:
                self._update(entry_id, "failed", reason=why)


def sweep(entries: list[dict[str, Any]], contexts: dict[str, Any], ledger: Ledger) -> list[dict[str, Any]]:
    """At the end of a run: undo every entry still open (a case interrupted, a worker torn
    down); returns the entries that stay open (the leftovers)."""
    left: list[tuple[int, dict[str, Any]]] = []
    # newest first; keyless creates last: looked for by the run's tag once every known key is deleted
    searched = [findable(e) is not None for e in entries]
    for i in sorted(range(len(entries)), key=lambda i: (searched[i], -i)):
        e = entries[i]
        ctx = contexts.get(f"{e.get('endpoint')}|{e.get('version')}")
        if e.get("op") in OPEN_OPS and ctx is not None and ((e.get("undo") or {}).get("api") or searched[i]):
            try:
                why = undo_entry(ctx, e)
            except Exception as exc:
                why = f"internal error: {type(exc).__name__}: {exc}"
            if why is None:
                ledger.update(e["id"], "undone", by="the end-of-run sweep")
                continue
            ledger.update(e["id"], "failed", reason=why)
            e = {**e, "op": "failed", "reason": why}
        left.append((i, e))
    return [e for _i, e in sorted(left, key=lambda x: x[0])]
