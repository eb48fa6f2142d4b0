"""Drives the PyPI package ``webexpy`` (an Event Center client, Python 2) through its own public
API against a ``webex-conformance serve`` URL; prints one JSON line per call:
{"call": name, "ok": bool, "detail": text}.

Usage: python2 events_webexpy.py INFO_JSON  (the first line ``serve`` prints).
The client builds its service URL from the site name (``https://SITE.webex.com``); its
``Account.api_url`` attribute is pointed at the server instead, the only change made.
Runs under Python 2.7 because the client does; this file is our driver, not the client.
"""
import json
import sys
import traceback

from webex.account import Account
from webex.event import Event
from webex.registrant import Registrant

INFO = json.loads(sys.argv[1])


def emit(name, ok, detail=""):
    sys.stdout.write(json.dumps({"call": name, "ok": ok, "detail": detail[:300]}) + "\n")
    sys.stdout.flush()


def call(name, fn, check=None):
    """One public-API call; ``check(result)`` returns a problem string or ''."""
    try:
        result = fn()
    except Exception as err:  # the client's own errors carry the envelope's reason
        detail = "%s: %s" % (type(err).__name__, err)
        if not str(err):
            detail += " " + traceback.format_exc().splitlines()[-3].strip()
        emit(name, False, detail)
        return None
    problem = check(result) if check else ""
    emit(name, not problem, problem or "")
    return result if not problem else None


def account(role):
    acct = Account(username=INFO["accounts"][role]["webExID"], password=INFO["accounts"][role]["password"],
                   site_name=INFO["siteName"])
    acct.api_url = INFO["url"]
    return acct


def host_listed(acct):
    return acct.get_listed_events(bust=True)


def keys(events):
    return set(e.session_key for e in events)


def event_round(acct, ev, n):
    created = call("Event.create", ev.create, lambda e: "" if e.session_key else "no sessionKey")
    if created is None:
        return
    ev.title = u"renamed %s &<>\xfc\u2603" % n
    call("Event.update", ev.update)
    call("Account.listed_events after update", lambda: host_listed(acct),
         lambda es: "" if [e.title for e in es if e.session_key == ev.session_key] == [ev.title]
         else "listed as %r" % [e.title for e in es if e.session_key == ev.session_key])
    regs = Registrant.random(ev, 3)
    call("Event.create_registrants", lambda: ev.create_registrants(regs),
         lambda rs: "" if rs and all(r.attendee_id for r in rs) else "no attendeeID for %r" % rs)
    one = Registrant.random(ev)
    call("Registrant.create", one.create, lambda r: "" if r.attendee_id else "no attendeeID")
    call("Event.general_registrants", lambda: ev.get_general_registrants(bust=True),
         lambda rs: "" if set(r.email for r in rs) >= set(r.email for r in regs + [one])
         else "listed %s" % sorted(r.email for r in rs))
    call("Event.attended_registrants", lambda: ev.get_attended_registrants(bust=True))
    call("Event.registrants", lambda: ev.get_registrants(bust=True),
         lambda rs: "" if len(rs) >= 4 else "%d registrants" % len(rs))
    call("Registrant.delete", one.delete)
    call("Event.delete_registrants", lambda: ev.delete_registrants(regs))
    call("Event.general_registrants after deletes", lambda: ev.get_general_registrants(bust=True),
         lambda rs: "" if not set(r.email for r in rs) & set(r.email for r in regs + [one])
         else "still listed %s" % sorted(r.email for r in rs))
    call("Event.delete", ev.delete)


def main():
    host = account("host")
    call("Account.version_info", lambda: host.version_info, lambda v: "" if v and v[0] else "no apiVersion")
    call("Account.version", lambda: host.version)
    call("Account.meetings_require_password", lambda: host.meetings_require_password)
    call("Account.meetings_must_be_unlisted", lambda: host.meetings_must_be_unlisted)
    call("Account.listed_events", lambda: host.get_listed_events(bust=False))
    call("Account.historical_events", lambda: host.get_historical_events(bust=False))
    call("Account.events", lambda: host.get_events(bust=True))
    events = Event.random(host, 3)
    for n, ev in enumerate(events):
        event_round(host, ev, n)
    batch = Event.random(host, 2)
    call("Account.create_events", lambda: host.create_events(batch),
         lambda es: "" if all(e.session_key for e in es) else "no sessionKey")
    for ev in batch:
        ev.title = u"batch renamed"
    call("Account.update_events", lambda: host.update_events(batch))
    call("Account.listed_events after creates", lambda: host.get_listed_events(bust=True),
         lambda es: "" if keys(batch) <= keys(es) else "created events not listed")
    call("Account.delete_events", lambda: host.delete_events(batch))
    call("Account.listed_events after deletes", lambda: host.get_listed_events(bust=True),
         lambda es: "" if not keys(batch) & keys(es) else "deleted events still listed")
    admin = account("admin")
    call("Account.events (admin)", lambda: admin.get_events(bust=True))


if __name__ == "__main__":
    main()
