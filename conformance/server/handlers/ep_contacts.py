"""My Contacts: CreateContacts, LstContact(s), SetContact and DelContacts (SP12).

Contacts belong to the calling user.  The listing API is called LstContact in the
vendor's schema and LstContacts in the SP12 notes; both names are served, with the
same answer (response type lstContactResponse / lstContactsResponse).

Documented choices:

* SetContact finds the contact by contactEmail (case-insensitive).  Checks, in order:
  140004 "Contact not found", 030060 "Not a valid language" (see LANGUAGES), 140001
  "Email is used by another contact".  CreateContacts refuses a duplicate with 140001.
* DelContacts reads every ``email`` / ``contactEmail`` element of the request, deletes
  the caller's contacts with those addresses and returns their contactIDs; unknown
  addresses are ignored.  None found: 000015 "Sorry, no record found" - the notes print
  00015, real servers send the six-digit 000015.
"""
from __future__ import annotations

from lxml import etree

from ..defects import Defect
from ..call import Call
from ..failures import NO_RECORD, ApiFailure
from ..routes import handler
from ..wire import fmt_date

TABLES = """
CREATE TABLE IF NOT EXISTS contacts (
    contact_id INTEGER PRIMARY KEY, site TEXT NOT NULL, owner TEXT NOT NULL, email TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '', title TEXT NOT NULL DEFAULT '', company TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '', url TEXT NOT NULL DEFAULT '', address1 TEXT NOT NULL DEFAULT '',
    address2 TEXT NOT NULL DEFAULT '', city TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT '',
    zip_code TEXT NOT NULL DEFAULT '', country TEXT NOT NULL DEFAULT '', language TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL
);
"""

# The languages our site supports (Webex language names, compared case-insensitively).
LANGUAGES = frozenset(x.upper() for x in (
    "ENGLISH", "INTERNATIONAL ENGLISH", "SIMPLIFIED CHINESE", "TRADITIONAL CHINESE", "JAPANESE", "KOREAN",
    "FRENCH", "CANADIAN FRENCH", "GERMAN", "ITALIAN", "CASTILIAN SPANISH", "SPANISH", "SWEDISH", "DUTCH",
    "BRAZILIAN PORTUGUESE", "RUSSIAN", "DANISH", "NORWEGIAN", "POLISH", "TURKISH", "HUNGARIAN", "CZECH",
))
# request element -> column (SetContact/CreateContacts plain fields)
FIELDS = {"name": "name", "title": "title", "company": "company", "notes": "notes", "url": "url",
          "address1": "address1", "address2": "address2", "city": "city", "state": "state",
          "zipCode": "zip_code", "country": "country", "language": "language"}
MAX_FIELD = 512

DEFECTS: list[Defect] = [
    Defect("setcontact-not-found-wrong-code", "SetContact answers 000015 instead of 140004 for an unknown contact",
           ("setcontact-contact-not-found",)),
    Defect("setcontact-language-unchecked", "SetContact accepts a language the site does not support",
           ("setcontact-invalid-language",)),
    Defect("setcontact-duplicate-email-allowed", "SetContact lets two contacts share one email",
           ("setcontact-email-used",)),
    Defect("setcontact-ignores-changes", "SetContact answers SUCCESS but stores nothing",
           ("setcontact-updates-contact",)),
    Defect("delcontacts-code-00015", "DelContacts answers the five-digit 00015 the notes print",
           ("delcontacts-no-record-found", "delcontacts-returns-contactid")),
    Defect("delcontacts-missing-contactid", "DelContacts deletes but returns no contactID",
           ("delcontacts-returns-contactid",)),
]


def _owner(call: Call) -> str:
    return call.require_user().webex_id.lower()


def _value(call: Call, el: etree._Element, name: str) -> str | None:
    text = call.text(name, root=el)
    if text is None:
        # address fields may come wrapped in <address>, as in the vendor's contactType
        text = call.text(f"address/{name}", root=el)
    if text is not None and len(text) > MAX_FIELD:
        raise ApiFailure("999999", f"{name} is longer than {MAX_FIELD} characters")
    return text


def _check_language(call: Call, language: str | None) -> None:
    if language and language.upper() not in LANGUAGES and not call.defect("setcontact-language-unchecked"):
        raise ApiFailure("030060", "Not a valid language")


def _find(call: Call, owner: str, email: str):
    return call.db.one("SELECT * FROM contacts WHERE site=? AND owner=? AND lower(email)=lower(?)",
                       (call.site.name, owner, email))


@handler("ep", "CreateContacts")
def create_contacts(call: Call) -> list:
    owner = _owner(call)
    items = call.findall("contact")
    if not items:
        raise ApiFailure("999999", "CreateContacts needs at least one <contact>")
    E = call.E("ep")
    out = []
    with call.db.transaction():
        for el in items:
            email = _value(call, el, "email")
            if not email:
                raise ApiFailure("999999", "every <contact> needs an <email>")
            if _find(call, owner, email) is not None:
                raise ApiFailure("140001", "Email is used by another contact")
            values = {col: (_value(call, el, name) or "") for name, col in FIELDS.items()}
            _check_language(call, values["language"])
            cid = call.db.next_id("contact_id", 7000001)
            cols = ", ".join(values)
            call.db.execute(
                f"INSERT INTO contacts(contact_id, site, owner, email, created, {cols}) "
                f"VALUES (?,?,?,?,?,{','.join('?' * len(values))})",
                (cid, call.site.name, owner, email, fmt_date(call.now), *values.values()))
            out.append(E.contactID(str(cid)))
    return out


def _lst_contacts(call: Call) -> list:
    owner = _owner(call)
    rows = call.db.query("SELECT * FROM contacts WHERE site=? AND owner=? ORDER BY contact_id",
                         (call.site.name, owner))
    if not rows:
        raise ApiFailure(*NO_RECORD)
    E = call.E("ep")
    out = []
    for r in rows:
        contact = E.contact(E.contactID(str(r["contact_id"])), E.name(r["name"]))
        for name, col in (("title", "title"), ("company", "company")):
            if r[col]:
                contact.append(E(name, r[col]))
        contact.append(E.email(r["email"]))
        for name, col in (("notes", "notes"), ("url", "url"), ("language", "language")):
            if r[col]:
                contact.append(E(name, r[col]))
        out.append(contact)
    return out


@handler("ep", "LstContact")
def lst_contact(call: Call) -> list:
    return _lst_contacts(call)


@handler("ep", "LstContacts")
def lst_contacts(call: Call) -> list:
    return _lst_contacts(call)


@handler("ep", "SetContact", since="11.0.0 SP12")
def set_contact(call: Call) -> list:
    owner = _owner(call)
    key = call.text("contactEmail")
    if not key:
        raise ApiFailure("999999", "SetContact needs <contactEmail>, the email of the contact to change")
    with call.db.transaction():
        row = _find(call, owner, key)
        if row is None:
            if call.defect("setcontact-not-found-wrong-code"):
                raise ApiFailure(*NO_RECORD)
            raise ApiFailure("140004", "Contact not found")
        changes = {col: v for name, col in FIELDS.items() if (v := _value(call, call.body, name)) is not None}
        _check_language(call, changes.get("language"))
        new_email = _value(call, call.body, "email")
        if new_email:
            other = _find(call, owner, new_email)
            if other is not None and other["contact_id"] != row["contact_id"] \
                    and not call.defect("setcontact-duplicate-email-allowed"):
                raise ApiFailure("140001", "Email is used by another contact")
            changes["email"] = new_email
        if changes and not call.defect("setcontact-ignores-changes"):
            sets = ", ".join(f"{col}=?" for col in changes)
            call.db.execute(f"UPDATE contacts SET {sets} WHERE contact_id=?", (*changes.values(), row["contact_id"]))
    return []


@handler("ep", "DelContacts", since="11.0.0 SP12")
def del_contacts(call: Call) -> list:
    owner = _owner(call)
    emails = [(el.text or "").strip() for el in call.body.iter()
              if isinstance(el.tag, str) and etree.QName(el).localname in ("email", "contactEmail")]
    emails = [e for e in emails if e]
    if not emails:
        raise ApiFailure("999999", "DelContacts needs at least one <email> of a contact to delete")
    deleted: list[int] = []
    with call.db.transaction():
        for email in emails:
            row = _find(call, owner, email)
            if row is not None and row["contact_id"] not in deleted:
                call.db.execute("DELETE FROM contacts WHERE contact_id=?", (row["contact_id"],))
                deleted.append(row["contact_id"])
    if not deleted:
        code = "00015" if call.defect("delcontacts-code-00015") else "000015"
        raise ApiFailure(code, "Sorry, no record found")
    if call.defect("delcontacts-missing-contactid"):
        return []
    E = call.E("ep")
    return [E.contactID(str(cid)) for cid in deleted]
