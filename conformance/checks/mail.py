"""``mail``: the service sent (or, with ``sent = false``, did not send) a mail to an address.

The runner reads the mail sink before and after the request (``reads_mail``); this
module only judges the messages it is handed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from ..casefields import Field
from ..verdict import Verdict
from .kind import CheckKind, Observed
from .nodes import MAX_SHOWN, CheckError, clip, plural, render

SUBJECT_SHOWN = 120

_ADDR = re.compile(r"<([^<>]+)>")


@dataclass(frozen=True)
class MailExpectation:
    to: str                      # template, e.g. "${users.host.email}"
    subject: str = ""            # regex
    body: str = ""               # regex
    sent: bool = True            # false: the step must NOT send such a mail


def parse(raw: Any, field: Field) -> MailExpectation:
    table = field.typed(raw, dict)
    field.only(table, ("to", "subject", "body", "sent"))
    return MailExpectation(
        to=field.required(table, "to", str),
        subject=field.optional(table, "subject", str, ""),
        body=field.optional(table, "body", str, ""),
        sent=field.optional(table, "sent", bool, True),
    )


def placeholders(mail: MailExpectation) -> Iterable[tuple[str, str]]:
    return [("mail.to", mail.to)]


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
        to = render(mail.to, variables).strip()
    except CheckError as exc:
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
        return [Verdict("mail", "fail", f"no mail to {to}", f"{plural(len(to_them), 'mail')} to {to}, "
                                                           f"subjects: {_subjects(to_them)}")]
    if not to_them:
        seen = sorted({a for m in messages for a in _addresses(m.get("to"))})
        actual = f"no mail to {to}" + (f" ({len(messages)} sent, to: {', '.join(seen[:5])})" if messages else " (no mail sent)")
        return [Verdict("mail", "fail", wanted, actual)]
    for m in to_them:
        subject, body = str(m.get("subject", "")), str(m.get("body", ""))
        if (subject_re is None or subject_re.search(subject)) and (body_re is None or body_re.search(body)):
            return [Verdict("mail", "pass", wanted, f"mail to {to} with subject {subject!r}"[:200])]
    return [Verdict("mail", "fail", wanted, f"{plural(len(to_them), 'mail')} to {to}, subjects: {_subjects(to_them)}")]


def _subjects(mails: list[dict]) -> str:
    # A subject is what the check reads: keep it whole up to a line's width.
    return ", ".join(repr(clip(str(m.get("subject", "")), SUBJECT_SHOWN)) for m in mails[:MAX_SHOWN])


def judge(mail: MailExpectation, seen: Observed) -> list[Verdict]:
    if seen.mail_error is not None:
        return [Verdict("mail", "error", "the mail sink's messages", seen.mail_error)]
    if seen.mails is None:  # judged offline (validate): no mail sink to read
        return []
    return judge_mail(mail, seen.mails, seen.values)


KIND = CheckKind("mail", "needs the mail-sink fixture",
                 'mail = { to = "${users.host.email}", subject = "deleted" }', parse, judge, placeholders,
                 reads_mail=True)
