"""The server's composition: a catalog read from modules, and the names a Call accepts."""
import types

import pytest
from lxml import etree

from conformance.server.call import Call, UndeclaredName
from conformance.server.catalog import Catalog
from conformance.server.defects import Defect, UnknownDefect
from conformance.server.handlers import ALL_MODULES, ep, user
from conformance.server.models import Site
from conformance.server.root import full_catalog
from conformance.server.routes import handler
from conformance.versions import parse_version


def _module(name, **members):
    mod = types.ModuleType(name)
    for key, value in members.items():
        if callable(value) and hasattr(value, "route"):
            value.__module__ = name
        setattr(mod, key, value)
    return mod


def test_full_catalog_holds_every_module_handler_and_defect():
    cat = full_catalog()
    assert ("ep", "GetAPIVersion") in cat.handlers and ("user", "GetUser") in cat.handlers
    assert cat.handlers[("ep", "GetSessionInfo")].module.endswith("ep_sessions")
    declared = {d.name for mod in ALL_MODULES for d in [*getattr(mod, "DEFECTS", ()), *getattr(mod, "BOUNDARY_DEFECTS", ())]}
    assert set(cat.defects) == declared and len(declared) > 100


def test_a_subset_catalog_has_only_its_modules():
    cat = Catalog.from_modules([ep])
    assert set(cat.handlers) == {("ep", "GetAPIVersion")}
    assert "apiver-wrong" in cat.defects and "suspended-createuser-allowed" not in cat.defects
    assert ("user", "GetUser") in Catalog.from_modules([user]).handlers


def test_two_handlers_for_one_api_and_a_defect_declared_twice_are_refused():
    @handler("ep", "GetAPIVersion")
    def again(call):
        return []
    with pytest.raises(ValueError, match="two handlers for ep.GetAPIVersion"):
        Catalog.from_modules([ep, _module("dup", again=again)])
    dup = _module("dupdefect", DEFECTS=[Defect("apiver-wrong", "x", ("c",))])
    with pytest.raises(ValueError, match="defined twice"):
        Catalog.from_modules([ep, dup])


def test_undocumented_since_in_a_handler_is_refused_when_the_catalog_is_built():
    @handler("ep", "Future", since="40.0.0")
    def future(call):
        return []
    with pytest.raises(Exception, match="unknown version"):
        Catalog.from_modules([_module("future", future=future)])


def test_check_defects_names_the_unknown_one():
    with pytest.raises(UnknownDefect, match="unknown defect 'nope'"):
        full_catalog().check_defects(["apiver-wrong", "nope"])


def _call(defects=frozenset(), declared=frozenset({"a-defect"})):
    site = Site("s", "1", "p", False, False, False, "main")
    return Call("ep", "X", parse_version("39.2.0"), defects, None, site, None, etree.Element("b"),
                declared=declared)


def test_call_since_rejects_an_undocumented_version_and_defect_an_undeclared_name():
    call = _call(frozenset({"a-defect"}))
    assert call.since("39.2.0") and not call.since("39.3.0")
    with pytest.raises(UndeclaredName, match="39.4.0"):
        call.since("39.4.0")
    assert call.defect("a-defect") and not call.defect("")
    with pytest.raises(UndeclaredName, match="typo-defect"):
        call.defect("typo-defect")


def test_flag_accepts_upper_case_booleans():
    call = _call()
    call.body.append(etree.fromstring("<emailInvitations>TRUE</emailInvitations>"))
    assert call.flag("emailInvitations") is True


def test_server_md_lists_every_emulated_api_with_its_version():
    from pathlib import Path
    import re
    doc = (Path(__file__).resolve().parents[1] / "docs" / "SERVER.md").read_text()
    listed = {(m[1], m[2], m[3]) for m in re.finditer(r"^\| `([\w.]+)\.(\w+)` \| ([\w. ]+?) \|", doc, re.M)}
    emulated = {(s, a, since or "11.0.0 SP10") for s, a, since in full_catalog().apis()}
    assert listed == emulated, (sorted(listed - emulated), sorted(emulated - listed))


def test_boundary_defects_are_read_and_a_reexported_list_counts_once():
    only_boundary = Defect("edge-defect", "x", (), boundary=("boundary/some-limit",))
    owner = _module("owner_mod", BOUNDARY_DEFECTS=[only_boundary])
    reexport = _module("reexport_mod", BOUNDARY_DEFECTS=[*owner.BOUNDARY_DEFECTS])
    cat = Catalog.from_modules([owner, reexport])
    assert cat.defects == {"edge-defect": only_boundary}


_SHARED = __import__("pathlib").Path(__file__).resolve().parents[2] / "shared"


@pytest.mark.skipif(not (_SHARED / "real-traffic" / "INDEX.tsv").is_file(), reason="shared/ not beside the repository")
def test_server_md_says_why_each_api_is_emulated_only_with_evidence_that_shows_it():
    """'real traffic' must name an API some real message shows, 'vendor schema' one the vendor
    bundle declares: a label nobody can check is how DelTeleconferenceSession got 'real traffic'."""
    from pathlib import Path
    import re
    doc = (Path(__file__).resolve().parents[1] / "docs" / "SERVER.md").read_text()
    rows = re.findall(r"^\| `[\w.]+\.(\w+)` \| [\w. ]+? \| \w+ \| ([\w ]+?) \|$", doc, re.M)
    assert len(rows) == len(full_catalog().apis())
    index = (_SHARED / "real-traffic" / "INDEX.tsv").read_text().splitlines()
    in_traffic = {line.split("\t")[2] for line in index[1:] if line}
    vendor = " ".join(p.read_text(errors="replace") for p in (_SHARED / "reference").rglob("*.xsd"))
    for api, why in rows:
        assert why in ("notes", "real traffic", "vendor schema", "asked for"), (api, why)
        if why == "real traffic":
            assert api in in_traffic, f"{api}: marked real traffic, no message in shared/real-traffic"
        if why == "vendor schema":
            assert api not in in_traffic, f"{api}: real traffic shows it, say so"
            assert f'name="{api[0].lower()}{api[1:]}"' in vendor, f"{api}: the vendor bundle does not declare it"
        if why == "asked for":
            assert api not in in_traffic and f'name="{api[0].lower()}{api[1:]}"' not in vendor, api


def test_the_full_catalog_is_built_once_per_process():
    assert full_catalog() is full_catalog()
