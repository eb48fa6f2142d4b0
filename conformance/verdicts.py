"""Judge one parsed response against one expectation: pure, tree in, verdicts out.

Keeping this stage free of I/O is what lets the same judgement run on a live exchange,
on a saved response file (replay) and in unit tests without a server.  Every check
yields a ``Verdict`` whose expected/actual are one-line, human-readable texts, because
they end up verbatim in JUnit failures and in the matrix partners read.  A mistake in a
case (a bad XPath or regex met at run time) is an ``error`` verdict, never an exception.
"""
from __future__ import annotations

import re
from functools import partial
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from lxml import etree

from .namespaces import NS, PREFIX_OF
from .templating import render as render_template

if TYPE_CHECKING:  # contracts only; judging needs no more than these attributes
    from .cases import Expectation, MailExpectation
    from .response import ParsedResponse
    from .schemas import SchemaBundle

__all__ = [
    "Verdict", "OUTCOMES", "judge", "judge_error", "judge_mail", "judge_schema", "judge_drift", "outcome_of",
    "drift_of",
]

OUTCOMES = ("pass", "fail", "error", "info")

_MAX_SHOWN_NODES = 3
_MAX_TEXT = 60



@dataclass(frozen=True)
class Verdict:
    check: str
    outcome: str
    expected: str
    actual: str
    detail: str = ""
    path: str | None = None
    line: int | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"verdict outcome must be one of {', '.join(OUTCOMES)}, not {self.outcome!r}")

    def describe(self) -> str:
        """One line for reports: 'FAIL result: expected FAILURE, actual SUCCESS'."""
        text = f"{self.outcome.upper()} {self.check}: expected {self.expected}, actual {self.actual}"
        if self.detail and self.check != "drift":  # drift's detail repeats its actual, one per line
            text += f" ({_one_line(self.detail)})"
        if self.path:
            text += f" at {self.path}"
        if self.line is not None:
            text += f" line {self.line}"
        return text

    def to_dict(self) -> dict[str, Any]:
        # Written out: dataclasses.asdict deep-copies every field, once per verdict of a run.
        return {"check": self.check, "outcome": self.outcome, "expected": self.expected, "actual": self.actual,
                "detail": self.detail, "path": self.path, "line": self.line}

    @classmethod
    def from_dict(cls, data: Any) -> "Verdict":
        """Rebuild a verdict from results.json; a malformed record is a one-line ValueError."""
        if not isinstance(data, dict):
            raise ValueError(f"a verdict must be an object, not {type(data).__name__}")
        for key in ("check", "outcome", "expected", "actual"):
            if key not in data:
                raise ValueError(f"verdict is missing field {key!r}")
            if not isinstance(data[key], str):
                raise ValueError(f"verdict field {key!r} must be a string")
        detail = data.get("detail", "")
        path = data.get("path")
        line = data.get("line")
        if not isinstance(detail, str):
            raise ValueError("verdict field 'detail' must be a string")
        if path is not None and not isinstance(path, str):
            raise ValueError("verdict field 'path' must be a string or null")
        if line is not None and (not isinstance(line, int) or isinstance(line, bool)):
            raise ValueError("verdict field 'line' must be an integer or null")
        return cls(data["check"], data["outcome"], data["expected"], data["actual"], detail, path, line)


def outcome_of(verdicts: Iterable[Verdict]) -> str:
    """'error' beats 'fail' beats 'pass'; info verdicts (drift) never change the outcome."""
    outcomes = {v.outcome for v in verdicts}
    if "error" in outcomes:
        return "error"
    if "fail" in outcomes:
        return "fail"
    return "pass"


def drift_of(verdicts: Iterable[Verdict]) -> list[str]:
    """The undocumented items a drift verdict listed (for CaseResult.drift)."""
    items: list[str] = []
    for v in verdicts:
        if v.check == "drift" and v.detail:
            items.extend(x for x in v.detail.split("\n") if x)
    return items


def judge_error(reason: str, check: str = "envelope") -> list[Verdict]:
    """The single verdict for a response that could not be parsed (a ResponseError)."""
    return [Verdict(check, "error", "a well-formed XML API response", _one_line(reason) or "unreadable response")]


def judge(expectation: Expectation, parsed: ParsedResponse, bundle: SchemaBundle | None,
          variables: Mapping[str, str]) -> list[Verdict]:
    """All verdicts of one expectation on one parsed response, in the case file's order."""
    if getattr(expectation, "not_applicable", None):
        return []
    verdicts: list[Verdict] = []
    verdicts.extend(_judge_header(expectation, parsed))
    root = getattr(parsed, "root", None)
    for xp in expectation.present:
        verdicts.append(_xpath_check(f"present:{xp}", xp, root, _present))
    for xp in expectation.absent:
        verdicts.append(_xpath_check(f"absent:{xp}", xp, root, _absent))
    for xp, template in expectation.equals:
        verdicts.append(_equals(xp, template, root, variables))
    for xp, pattern in expectation.matches:
        verdicts.append(_matches(xp, pattern, root))
    for xp, number in expectation.count:
        verdicts.append(_xpath_check(f"count:{xp}", xp, root, partial(_count, number=number)))
    if bundle is not None and root is not None:
        if expectation.schema_valid:
            verdicts.extend(judge_schema(bundle, root))
        drift = judge_drift(bundle, root)
        if drift is not None:
            verdicts.append(drift)
    return verdicts


# --- header checks --------------------------------------------------------------------

def _shown(value: str | None) -> str:
    return "(none)" if value is None else (_clip(value) if value != "" else "(empty)")


def _judge_header(e: Any, parsed: Any) -> list[Verdict]:
    out: list[Verdict] = []
    if e.result is not None:
        actual = getattr(parsed, "result", None)
        detail = ""
        if actual != e.result and actual == "FAILURE":
            detail = f"exceptionID {_shown(parsed.exception_id)}, reason {_shown(parsed.reason)}"
        out.append(Verdict("result", "pass" if actual == e.result else "fail", e.result, _shown(actual), detail))
    if e.exception_id is not None:
        actual = getattr(parsed, "exception_id", None)
        detail = "" if actual == e.exception_id else f"reason {_shown(getattr(parsed, 'reason', None))}"
        out.append(Verdict("exceptionID", "pass" if actual == e.exception_id else "fail",
                           e.exception_id, _shown(actual), detail))
    if e.reason is not None:
        actual = getattr(parsed, "reason", None)
        try:
            hit = re.search(e.reason, actual or "") is not None
        except re.error as exc:
            out.append(Verdict("reason", "error", f"matches /{e.reason}/", _shown(actual),
                               f"bad regular expression: {exc}"))
        else:
            out.append(Verdict("reason", "pass" if hit else "fail", f"matches /{e.reason}/", _shown(actual)))
    if e.value is not None:
        actual = getattr(parsed, "value", None)
        out.append(Verdict("value", "pass" if actual == e.value else "fail", repr(e.value), _shown_repr(actual)))
    return out


def _shown_repr(value: str | None) -> str:
    if value is None:
        return "(none)"
    return repr(value if len(value) <= _MAX_TEXT else value[: _MAX_TEXT - 3] + "...")


# --- XPath checks ---------------------------------------------------------------------

class _CheckError(Exception):
    """A case mistake met at run time (bad XPath, wrong result type): an error verdict."""


def _evaluate(xpath: str, root: Any) -> Any:
    if root is None:
        raise _CheckError("the response has no XML document to search")
    try:
        return root.xpath(xpath, namespaces=NS)
    except (etree.XPathError, ValueError) as exc:  # ValueError: control characters in the text
        raise _CheckError(f"cannot evaluate XPath {xpath!r}: {_one_line(str(exc))}") from None


def _nodes(result: Any, xpath: str) -> list[Any]:
    if isinstance(result, list):
        return result
    raise _CheckError(f"XPath {xpath!r} returns a {_kind(result)} ({_scalar(result)}), not a node-set")


def _xpath_check(check: str, xpath: str, root: Any, rule) -> Verdict:
    try:
        result = _evaluate(xpath, root)
        return rule(result, check=check, xpath=xpath)
    except _CheckError as exc:
        expected = check.split(":", 1)[0]
        return Verdict(check, "error", f"a usable check ({expected})", "check could not run", str(exc))


def _present(result: Any, check: str, xpath: str) -> Verdict:
    if isinstance(result, bool):
        return Verdict(check, "pass" if result else "fail", "true", "true" if result else "false")
    nodes = _nodes(result, xpath)
    if nodes:
        return Verdict(check, "pass", "at least 1 node", _found(nodes))
    return Verdict(check, "fail", "at least 1 node", "no node found")


def _absent(result: Any, check: str, xpath: str) -> Verdict:
    if isinstance(result, bool):
        return Verdict(check, "pass" if not result else "fail", "false", "true" if result else "false")
    nodes = _nodes(result, xpath)
    if not nodes:
        return Verdict(check, "pass", "no node", "no node found")
    path, line = _where(nodes[0])
    return Verdict(check, "fail", "no node", _found(nodes), path=path, line=line)


def _count(result: Any, number: int, check: str, xpath: str) -> Verdict:
    nodes = _nodes(result, xpath)
    expected = _plural(number, "node")
    if len(nodes) == number:
        return Verdict(check, "pass", expected, _plural(len(nodes), "node"))
    return Verdict(check, "fail", expected, _found(nodes) if nodes else "no node found")


def _equals(xpath: str, template: str, root: Any, variables: Mapping[str, str]) -> Verdict:
    check = f"equals:{xpath}"
    try:
        expected = _render(template, variables)
    except _CheckError as exc:
        return Verdict(check, "error", repr(template), "check could not run", str(exc))
    try:
        result = _evaluate(xpath, root)
    except _CheckError as exc:
        return Verdict(check, "error", repr(expected), "check could not run", str(exc))
    if not isinstance(result, list):
        actual = _scalar(result)
        return Verdict(check, "pass" if actual == expected else "fail", repr(expected), repr(_clip(actual)))
    if not result:
        return Verdict(check, "fail", repr(expected), "no node found")
    for i, node in enumerate(result):
        value = _string_value(node)
        if value != expected:
            path, line = _where(node)
            which = f"node {i + 1} of {len(result)}: " if len(result) > 1 else ""
            return Verdict(check, "fail", repr(expected), f"{which}{_describe(node)} is {value!r}"[:200],
                           path=path, line=line)
    return Verdict(check, "pass", repr(expected), f"{_plural(len(result), 'node')} equal")


def _matches(xpath: str, pattern: str, root: Any) -> Verdict:
    check = f"matches:{xpath}"
    expected = f"every node matches /{pattern}/"
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        return Verdict(check, "error", expected, "check could not run", f"bad regular expression: {exc}")
    try:
        result = _evaluate(xpath, root)
    except _CheckError as exc:
        return Verdict(check, "error", expected, "check could not run", str(exc))
    if not isinstance(result, list):
        actual = _scalar(result)
        ok = regex.search(actual) is not None
        return Verdict(check, "pass" if ok else "fail", expected, repr(_clip(actual)))
    if not result:
        # Vacuous truth would hide a missing element: say so instead.
        return Verdict(check, "fail", expected, "no node found")
    bad = [n for n in result if regex.search(_string_value(n)) is None]
    if not bad:
        return Verdict(check, "pass", expected, f"{_plural(len(result), 'node')} match")
    path, line = _where(bad[0])
    shown = ", ".join(f"{_describe(n)}" for n in bad[:_MAX_SHOWN_NODES])
    more = f" (first {_MAX_SHOWN_NODES} shown)" if len(bad) > _MAX_SHOWN_NODES else ""
    return Verdict(check, "fail", expected, f"{len(bad)} of {len(result)} do not: {shown}{more}",
                   path=path, line=line)


# --- schema and drift -----------------------------------------------------------------

def judge_schema(bundle: Any, root: Any) -> list[Verdict]:
    """One fail verdict per schema issue (path and line), or one pass."""
    name = getattr(bundle, "name", "the schema")
    expected = f"valid against {name}"
    try:
        issues = list(bundle.validate(root))
    except Exception as exc:  # a broken bundle must not stop the other checks
        return [Verdict("schema", "error", expected, "validation could not run", _one_line(f"{type(exc).__name__}: {exc}"))]
    if not issues:
        return [Verdict("schema", "pass", expected, "valid")]
    return [Verdict("schema", "fail", expected, _one_line(i.message)[:300] or "invalid",
                    path=getattr(i, "path", None) or None, line=getattr(i, "line", None))
            for i in issues]


def judge_drift(bundle: Any, root: Any) -> Verdict | None:
    """An info verdict listing the undocumented elements, or None when there are none."""
    try:
        items = [str(x) for x in bundle.undocumented(root)]
    except Exception as exc:
        return Verdict("drift", "info", "only documented elements",
                       _one_line(f"drift check could not run: {type(exc).__name__}: {exc}"))
    if not items:
        return None
    shown = ", ".join(items[:_MAX_SHOWN_NODES]) + (" ..." if len(items) > _MAX_SHOWN_NODES else "")
    return Verdict("drift", "info", "only documented elements", f"{len(items)} undocumented: {shown}",
                   "\n".join(_one_line(x) for x in items))


# --- mail -----------------------------------------------------------------------------

_ADDR = re.compile(r"<([^<>]+)>")


def _addresses(to: Any) -> list[str]:
    parts = to if isinstance(to, (list, tuple)) else str(to or "").split(",")
    out = []
    for p in parts:
        p = str(p).strip()
        m = _ADDR.search(p)
        out.append((m[1] if m else p).strip().lower())
    return [a for a in out if a]


def judge_mail(mail: MailExpectation, messages: list[dict], variables: Mapping[str, str]) -> list[Verdict]:
    """One 'mail' verdict: did the service send a mail to the address, with that subject/body?"""
    try:
        to = _render(mail.to, variables).strip()
    except _CheckError as exc:
        return [Verdict("mail", "error", f"a mail to {mail.to}", "check could not run", str(exc))]
    wanted = f"a mail to {to}"
    if mail.subject:
        wanted += f" with subject /{mail.subject}/"
    if mail.body:
        wanted += f" and body /{mail.body}/"
    try:
        subject_re = re.compile(mail.subject) if mail.subject else None
        body_re = re.compile(mail.body) if mail.body else None
    except re.error as exc:
        return [Verdict("mail", "error", wanted, "check could not run", f"bad regular expression: {exc}")]
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        return [Verdict("mail", "error", wanted, "check could not run", "the mail sink did not return a list of mails")]
    to_them = [m for m in messages if to.lower() in _addresses(m.get("to"))]
    if not mail.sent:
        if not to_them:
            return [Verdict("mail", "pass", f"no mail to {to}", f"no mail to {to}")]
        subjects = ", ".join(repr(_clip(str(m.get("subject", "")))) for m in to_them[:_MAX_SHOWN_NODES])
        return [Verdict("mail", "fail", f"no mail to {to}", f"{_plural(len(to_them), 'mail')} to {to}, subjects: {subjects}")]
    if not to_them:
        seen = sorted({a for m in messages for a in _addresses(m.get("to"))})
        actual = f"no mail to {to}" + (f" ({len(messages)} sent, to: {', '.join(seen[:5])})" if messages else " (no mail sent)")
        return [Verdict("mail", "fail", wanted, actual)]
    for m in to_them:
        subject, body = str(m.get("subject", "")), str(m.get("body", ""))
        if (subject_re is None or subject_re.search(subject)) and (body_re is None or body_re.search(body)):
            return [Verdict("mail", "pass", wanted, f"mail to {to} with subject {subject!r}"[:200])]
    subjects = ", ".join(repr(_clip(str(m.get("subject", "")))) for m in to_them[:_MAX_SHOWN_NODES])
    return [Verdict("mail", "fail", wanted, f"{_plural(len(to_them), 'mail')} to {to}, subjects: {subjects}")]


# --- helpers --------------------------------------------------------------------------

def _render(text: str, variables: Mapping[str, str]) -> str:
    try:
        return render_template(text, variables)
    except Exception as exc:  # TemplateError, or anything odd in a variable: an error verdict
        raise _CheckError(f"cannot fill in {text!r}: {_one_line(str(exc))}") from None


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _clip(text: str, limit: int = _MAX_TEXT) -> str:
    text = _one_line(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, float):
        return "number"
    return "string"


def _scalar(value: Any) -> str:
    """The XPath string value of a non-node result (3.0 -> '3', True -> 'true')."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _string_value(node: Any) -> str:
    if isinstance(node, etree._Element):
        return node.xpath("string()")
    return str(node)


def _qname(el: Any) -> str:
    if not isinstance(el.tag, str):
        return "comment" if isinstance(el, etree._Comment) else "node"
    q = etree.QName(el)
    prefix = PREFIX_OF.get(q.namespace or "")
    return f"{prefix}:{q.localname}" if prefix else q.localname


def _describe(node: Any) -> str:
    if isinstance(node, etree._Element):
        if not isinstance(node.tag, str):
            return f"<!--{_clip(node.text or '', 30)}-->"
        text = _clip(node.xpath("string()"), 30)
        return f"<{_qname(node)}>{text}"
    if getattr(node, "is_attribute", False):
        return f"@{getattr(node, 'attrname', '')}={_clip(str(node), 30)!r}"
    return repr(_clip(str(node), 30))


def _found(nodes: list[Any]) -> str:
    shown = ", ".join(_describe(n) for n in nodes[:_MAX_SHOWN_NODES])
    more = ", ..." if len(nodes) > _MAX_SHOWN_NODES else ""
    return f"found {_plural(len(nodes), 'node')}: {shown}{more}"


def _where(node: Any) -> tuple[str | None, int | None]:
    """Path (with our prefixes) and source line of a node in the response, for the report."""
    if isinstance(node, etree._Element):
        el, suffix = node, ""
    else:  # a smart string from text() or @attr: locate its parent element
        getparent = getattr(node, "getparent", None)
        el = getparent() if getparent else None
        suffix = f"/@{node.attrname}" if getattr(node, "is_attribute", False) else ""
    if el is None or not isinstance(el.tag, str):
        return None, None
    parts = [_qname(x) for x in reversed([el, *el.iterancestors()])]
    return "/" + "/".join(parts) + suffix, el.sourceline
