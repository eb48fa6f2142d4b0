"""Loading XSD bundles and judging responses against them.

A bundle is a directory of .xsd files laid out like the vendor's.  Its service.xsd does
not import the per-service schemas: a reply's body type is picked by ``xsi:type`` on
``serv:bodyContent``, so every namespace in the directory must be compiled into one
schema.  Each directory is compiled once per process.

Judging runs at libxml2's speed: our bundles are XSD 1.1 (open content), so schemagen
writes an XSD 1.0 form and an element map beside each (schemas/xsd10/<slug>/); the
map's walk records undocumented elements as drift and sets them aside, then libxml2
(lxml.etree.XMLSchema) decides valid or invalid.  Only a rejected document is judged
again by xmlschema under XSD 1.1, whose messages and paths the reports show.  A vendor
bundle (``--schema-dir``, XSD 1.0 already) takes the same path on its own files.
When a bundle is proven closed at load time (nothing but a declaration can admit an
element), a document libxml2 accepts as it is has no drift, so most answers cost one
libxml2 validation and no walk.
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xmlschema
from lxml import etree

from . import element_map, errors, schemagen
from .errors import one_line
from .namespaces import XSI_TYPE, xsi_type
from .nodepath import line_of as _line, node_path as _path, sibling_positions, step_among
from .versions import Version, VersionError, documented_at_or_below, parse_version

__all__ = [
    "SchemaIssue",
    "SchemaBundle",
    "SchemaLoadError",
    "load_bundle",
    "bundle_for",
]

_XSD_NS = "http://www.w3.org/2001/XMLSchema"



class SchemaLoadError(errors.SchemaError):
    """A schema directory that cannot be compiled (one line: which file, which line, why)."""


@dataclass(frozen=True)
class SchemaIssue:
    message: str
    path: str
    line: int | None


@dataclass(eq=False)
class SchemaBundle:
    """A bundle as the run judges with it: libxml2 on the XSD 1.0 form, the element map
    for drift, and xmlschema (XSD 1.1, compiled on first need) to explain a rejection."""

    name: str
    directory: Path
    namespaces: dict[str, Path]
    fast: Any = field(repr=False)                 # lxml.etree.XMLSchema of the 1.0 form
    emap: dict[str, Any] = field(repr=False)      # conformance.element_map shape
    _explainer: Any = field(default=None, repr=False)
    # The files ``fast`` compiles have no element wildcard (xsd:any) and no substitution
    # group, so a document libxml2 accepts as it is has only declared elements: no drift.
    closed: bool = field(default=False, repr=False)
    _last: tuple | None = field(default=None, repr=False)   # (root, walk) of the last document
    # The last document ``validate`` found valid as it is under a closed bundle (no drift).
    _as_is: Any = field(default=None, repr=False)
    _named: frozenset = field(default=frozenset(), init=False, repr=False)

    def __post_init__(self) -> None:
        self._named = frozenset(self.emap.get("named", ()))

    @property
    def schema(self) -> Any:
        """The xmlschema (XSD 1.1) bundle, compiled once per process on first use."""
        if self._explainer is None:
            self._explainer = _compile_xmlschema(self.directory)
        return self._explainer

    def validate(self, root: etree._Element) -> list[SchemaIssue]:
        """Every schema error in the message, each with a location in the instance.

        libxml2 decides; only a document it rejects is explained by xmlschema, whose
        messages and paths are what reports have always shown.
        """
        try:
            fast = self.fast
            if self.closed and fast is not None and fast.validate(root):   # a tree or its root
                # Valid as it is, and nothing but a declaration can admit an element here:
                # no drift, nothing to set aside, no walk.
                self._as_is = root
                return []
            self._as_is = None
            if fast is None:
                return self.explain(root)
            root = _as_element(root)
            drift, drop, order = self._walk_of(root)
            work = _set_aside(root, drop, order) if (drop or order) else root
            if fast.validate(work):
                return []
            first = fast.error_log.last_error
        except Exception as e:  # the validator itself failed: report, never crash
            root = _as_element(root)
            return [SchemaIssue(f"schema validation could not complete: {one_line(str(e))}", _path(root), _line(root))]
        issues = self.explain(root)
        if not issues:  # xmlschema found nothing: keep libxml2's word rather than lose it
            issues = [SchemaIssue(one_line(first.message) if first else "rejected by libxml2",
                                  (first.path if first else None) or _path(root), first.line if first else None)]
        return issues

    def explain(self, root: etree._Element) -> list[SchemaIssue]:
        """xmlschema's (XSD 1.1) issues for ``root``: the slow, well-worded judgement."""
        root = _as_element(root)
        issues: list[SchemaIssue] = []
        try:
            schema = self.schema
            work = _without_unknown_types(root, schema, issues)
            for err in schema.iter_errors(work):
                issues.append(_issue(err))
        except Exception as e:  # the validator itself failed: report, never crash
            issues.append(SchemaIssue(
                f"schema validation could not complete: {one_line(str(e))}", _path(root), _line(root)))
        return issues

    def undocumented(self, root: etree._Element) -> list[str]:
        """Paths of elements the bundle does not declare (tolerated drift, informational).

        An element counts as undocumented when no element declaration in its parent's
        content model has its name: it is only accepted by a wildcard, or not at all.
        Its descendants are not listed separately.
        """
        if root is self._as_is is not None:   # valid as it is: the answer validate just judged
            self._as_is = None
            return []
        if isinstance(root, etree._ElementTree):
            root = root.getroot()
        try:
            found = list(self._walk_of(root)[0])
            # The drift check comes after the schema check: let go of the document now,
            # rather than keep its tree alive until the next answer is judged.
            self._last = None
            return found
        except Exception as e:  # a schema shape we do not understand must not crash a run
            return [f"{_path(root)} (drift check stopped: {one_line(str(e))})"]

    def _walk_of(self, root: etree._Element) -> tuple[list[str], list, list]:
        """(drift paths, elements to set aside, elements whose children to sort), once per document."""
        last = self._last
        if last is not None and last[0] is root:
            return last[1]
        found: list[str] = []
        drop: list = []
        order: list = []
        if isinstance(root.tag, str):
            top = self.emap["elements"].get(root.tag)
            if top is None:
                found.append(_path(root))
            else:
                self._walk(root, self._type_of(root, top), found, drop, order, {}, ())
        walk = (found, drop if self.emap.get("open") else [], order)
        self._last = (root, walk)
        return walk

    def _type_of(self, elem: etree._Element, declared: str) -> str:
        qname = _xsi_type_qname(elem)
        if qname is not None and qname in self._named:
            return qname
        return declared

    def _walk(self, elem: etree._Element, type_key: str, found: list[str], drop: list, order: list,
              paths: dict, at: tuple[int, ...]) -> None:
        """``at``: ``elem``'s child positions from the root, so that ``_set_aside`` finds the
        same places in its copy without searching for them."""
        t = self.emap["types"].get(type_key)
        declared = t["children"] if t else {}
        any_child = False
        for i, child in enumerate(elem):
            tag = child.tag
            if tag.__class__ is not str:   # comments, PIs (tag is a function)
                continue
            any_child = True
            decl = declared.get(tag)
            if decl is None:
                found.append(_path_below(child, elem, paths))
                drop.append((*at, i))
                continue
            if len(child):   # a leaf has nothing to walk, whatever its type
                self._walk(child, self._type_of(child, decl) if child.get(XSI_TYPE) is not None else decl,
                           found, drop, order, paths, (*at, i))
        if any_child and t and t.get("sorted"):
            order.append((at, list(declared)))


def _path_below(elem: etree._Element, parent: etree._Element, paths: dict) -> str:
    """``node_path(elem)``, reusing what this document's walk already wrote: each ancestor's
    path, and the positions of a parent's children, counted once for all of them (drift in
    a list repeats under every row: neither a walk up nor a count of the rows per item)."""
    known = paths.get(parent)
    if known is None:
        grand = parent.getparent()
        known = paths[parent] = (_path(parent) if grand is None else _path_below(parent, grand, paths),
                                 sibling_positions(parent))
    base, positions = known
    return f"{base}/{step_among(elem, positions)}"


def _set_aside(root: etree._Element, drop: list, order: list) -> etree._Element:
    """A copy of ``root`` without the undocumented elements and with the children of
    repeating ``xsd:all`` types in declaration order: what the 1.0 form can judge.
    ``drop`` and ``order`` name their elements by child positions from ``root``."""
    dup = copy.deepcopy(root)
    # Find every target in the copy before changing it.
    sorts = [(_at(dup, at), names) for at, names in order]
    drops = [_at(dup, at) for at in drop]
    for target, names in sorts:
        rank = {n: i for i, n in enumerate(names)}
        kids = [c for c in target if isinstance(c.tag, str)]
        kids.sort(key=lambda c: rank.get(c.tag, len(rank)))
        for c in kids:
            target.append(c)
    for target in drops:
        parent = target.getparent()
        if parent is None:
            continue
        tail = target.tail
        prev = target.getprevious()
        parent.remove(target)
        if tail:
            if prev is not None:
                prev.tail = (prev.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
    return dup


def _at(dup: etree._Element, at: tuple[int, ...]) -> etree._Element:
    for i in at:
        dup = dup[i]
    return dup


def _as_element(root: Any) -> etree._Element:
    """Accept a parsed document as well as its root element."""
    return root.getroot() if isinstance(root, etree._ElementTree) else root


def _xsi_type_qname(elem: etree._Element) -> str | None:
    """The xsi:type of an element in Clark notation, '' if its prefix is unbound, None if absent."""
    found = xsi_type(elem)
    if found is None:
        return None
    uri, local, raw = found
    if uri is None:
        return "" if ":" in raw else local
    return f"{{{uri}}}{local}"


def _without_unknown_types(root: etree._Element, schema: Any,
                           issues: list[SchemaIssue]) -> etree._Element:
    """A copy of ``root`` the validator can take, with unresolvable xsi:types reported.

    xmlschema raises (instead of reporting) on an ``xsi:type`` naming no type; such an
    element is reported here and emptied in the copy so the rest is still judged.
    """
    bad = []
    for elem in root.iter(etree.Element):
        qname = _xsi_type_qname(elem)
        if qname is None or qname in schema.maps.types:
            continue
        value = elem.get(XSI_TYPE)
        if qname == "":
            why = f"xsi:type {value!r} uses an undeclared namespace prefix"
        else:
            why = f"xsi:type {value!r} names a type this schema bundle does not declare"
        issues.append(SchemaIssue(why, _path(elem), _line(elem)))
        bad.append(elem)
    if not bad:
        return root
    copy_root = _copy_keep_lines(root)
    index = {id(e): i for i, e in enumerate(root.iter(etree.Element))}
    copies = list(copy_root.iter(etree.Element))
    for elem in bad:
        target = copies[index[id(elem)]]
        del target.attrib[XSI_TYPE]
        for child in list(target):
            target.remove(child)
        target.text = None
    return copy_root


def _copy_keep_lines(root: etree._Element) -> etree._Element:
    """A deep copy whose elements keep the original's source lines."""
    dup = copy.deepcopy(root)
    for a, b in zip(root.iter(), dup.iter()):
        if a.sourceline and b.sourceline != a.sourceline:
            b.sourceline = a.sourceline
    return dup


def _child_at(elem: etree._Element, index: int) -> etree._Element | None:
    """The child an error's index means (xmlschema counts comments and PIs too)."""
    everything = list(elem)
    if 0 <= index < len(everything) and isinstance(everything[index].tag, str):
        return everything[index]
    elements = [c for c in everything if isinstance(c.tag, str)]
    return elements[index] if 0 <= index < len(elements) else None


def _issue(err: Any) -> SchemaIssue:
    elem = getattr(err, "elem", None)
    target = elem
    # "Unexpected child" errors name the parent and the child's index: point at the child.
    index = getattr(err, "index", None)
    if isinstance(elem, etree._Element) and isinstance(index, int):
        child = _child_at(elem, index)
        if child is not None:
            target = child
    reason = getattr(err, "reason", None) or getattr(err, "message", None) or str(err)
    message = one_line(str(reason))
    value = getattr(err, "obj", None)
    if isinstance(value, str):  # a simple value failed: say which value and which type
        type_name = getattr(getattr(err, "validator", None), "prefixed_name", None)
        shown = value if len(value) <= 60 else value[:57] + "..."
        message = (f"{shown!r} is not a valid {type_name} ({message})" if type_name
                   else f"{shown!r}: {message}")
    if isinstance(target, etree._Element):
        return SchemaIssue(message, _path(target), _line(target))
    return SchemaIssue(message, getattr(err, "path", None) or "/", None)


# ---------------------------------------------------------------- loading

_cache: dict[Path, SchemaBundle] = {}
_cache_lock = threading.Lock()
_dir_locks: dict[Path, threading.Lock] = {}


def _target_namespace(path: Path) -> str:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as e:
        line = f":{e.lineno}" if e.lineno else ""
        raise SchemaLoadError(f"{path}{line}: not well-formed XML: {e.msg}") from None
    except OSError as e:
        raise SchemaLoadError(f"{path}: cannot read: {e.strerror or e}") from None
    if root.tag != f"{{{_XSD_NS}}}schema":
        raise SchemaLoadError(f"{path}:{root.sourceline}: root element is {root.tag!r}, not xsd:schema")
    return root.get("targetNamespace", "")


def _bundle_name(directory: Path, files: list[Path]) -> str:
    """'webex-conformance schemas <version>' for our generated bundles, else 'bundle at <dir>'."""
    marker = re.compile(re.escape(schemagen.HEADER_PREFIX) + r"(.+?); do not edit")
    try:
        head = files[0].read_text(encoding="utf-8", errors="replace")[:400]
    except OSError:
        head = ""
    m = marker.search(head)
    if m:
        return f"webex-conformance schemas {m[1].strip()}"
    return f"bundle at {directory}"


def _compile(directory: Path) -> SchemaBundle:
    if not directory.is_dir():
        raise SchemaLoadError(f"{directory}: schema directory does not exist")
    files = sorted(p for p in directory.rglob("*.xsd") if p.is_file())
    if not files:
        raise SchemaLoadError(f"{directory}: no .xsd files in this directory")
    namespaces: dict[str, Path] = {}
    for f in files:
        namespaces.setdefault(_target_namespace(f), f)
    name = _bundle_name(directory, files)
    form10 = directory.parent / schemagen.XSD10_DIR.name / directory.name
    map_file = form10 / schemagen.ELEMENT_MAP
    if map_file.is_file():  # ours: schemagen wrote the 1.0 form and the element map
        try:
            emap = json.loads(map_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise SchemaLoadError(f"{map_file}: unreadable element map: {one_line(str(e))}") from None
        return SchemaBundle(name, directory, namespaces, _compile_libxml2(form10), emap, closed=_closed(form10))
    # A vendor bundle (XSD 1.0 already): libxml2 judges its own files; the element map is
    # read from one xmlschema compile, which also explains rejections.
    schema = _compile_xmlschema(directory)
    try:
        fast = _compile_libxml2(directory)
    except SchemaLoadError:
        fast = None  # XSD 1.1 only (e.g. an ungenerated source copy): xmlschema alone judges
    return SchemaBundle(name, directory, namespaces, fast, element_map.build(schema, open_content=False),
                        _explainer=schema, closed=fast is not None and _closed(directory))


def _compile_xmlschema(directory: Path) -> Any:
    files = sorted(p for p in directory.rglob("*.xsd") if p.is_file())
    try:
        return xmlschema.XMLSchema11([str(f) for f in files], base_url=str(directory))
    except xmlschema.XMLSchemaException as e:
        raise SchemaLoadError(_load_error_line(e, directory)) from None
    except (OSError, ValueError, TypeError, KeyError) as e:
        raise SchemaLoadError(f"{directory}: cannot compile schemas: {one_line(str(e))}") from None


def _compile_libxml2(directory: Path) -> Any:
    """One lxml XMLSchema over every namespace of ``directory`` (a driver importing each)."""
    driver = etree.Element(f"{{{_XSD_NS}}}schema", nsmap={"xsd": _XSD_NS})
    seen: set[str] = set()
    for f in sorted(p for p in directory.rglob("*.xsd") if p.is_file()):
        ns = _target_namespace(f)
        if ns in seen:
            continue
        seen.add(ns)
        imp = etree.SubElement(driver, f"{{{_XSD_NS}}}import", schemaLocation=f.resolve().as_uri())
        if ns:
            imp.set("namespace", ns)
    try:
        return etree.XMLSchema(driver)
    except etree.XMLSchemaParseError as e:
        raise SchemaLoadError(f"{directory}: libxml2 cannot compile the schemas: {one_line(str(e))}") from None


_OPENINGS = {f"{{{_XSD_NS}}}{n}" for n in ("any", "openContent", "defaultOpenContent")}
_REFERENCES = {f"{{{_XSD_NS}}}{n}" for n in ("include", "import", "redefine", "override")}


def _closed(directory: Path) -> bool:
    """Whether only element declarations can admit an element under the schemas of
    ``directory``: no wildcard, no open content, no substitution group, and nothing
    pulled in from outside the directory.  Proven per bundle when it is loaded, it is
    what lets a document valid as it is skip the drift walk."""
    files = {p.resolve() for p in directory.rglob("*.xsd") if p.is_file()}
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for f in files:
        try:
            tree = etree.parse(str(f), parser)
        except (OSError, etree.XMLSyntaxError):
            return False
        for el in tree.iter(etree.Element):
            if el.tag in _OPENINGS or el.get("substitutionGroup") is not None:
                return False
            if el.tag in _REFERENCES:
                where = el.get("schemaLocation")
                if where is not None and (f.parent / _url_to_path(where)).resolve() not in files:
                    return False
    return True


def _load_error_line(err: Any, directory: Path) -> str:
    url = getattr(err, "schema_url", None) or getattr(getattr(err, "source", None), "url", None)
    where = _url_to_path(url) if url else str(directory)
    line = getattr(err, "sourceline", None) or _schema_line(err, where)
    if line:
        where += f":{line}"
    reason = getattr(err, "reason", None) or getattr(err, "message", None) or str(err)
    return f"{where}: invalid schema: {one_line(str(reason))}"


def _url_to_path(url: str) -> str:
    from urllib.parse import unquote, urlparse
    parsed = urlparse(str(url))
    return unquote(parsed.path) if parsed.scheme == "file" else str(url)


def _schema_line(err: Any, file: str) -> int | None:
    """The line of the schema node an error is about.

    xmlschema parses schemas without line numbers; the node is found again in an lxml
    parse of the same file by its position in document order.
    """
    elem, root = getattr(err, "elem", None), getattr(err, "root", None)
    if elem is None or root is None:
        return None
    try:
        position = next(i for i, e in enumerate(root.iter()) if e is elem)
        lx = etree.parse(file, etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
        node = list(lx.iter(etree.Element))[position]
    except (StopIteration, IndexError, OSError, etree.XMLSyntaxError):
        return None
    return node.sourceline if node.tag == elem.tag else None


def load_bundle(directory: Path | str) -> SchemaBundle:
    """The compiled bundle of every .xsd under ``directory`` (compiled once per process)."""
    key = Path(directory).resolve()
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            return hit
        lock = _dir_locks.setdefault(key, threading.Lock())
    with lock:  # one compile per directory, even when threads ask at once
        with _cache_lock:
            hit = _cache.get(key)
        if hit is not None:
            return hit
        bundle = _compile(key)
        with _cache_lock:
            _cache[key] = bundle
        return bundle


def _generated_dir(version: Version) -> Path:
    """Our bundle for ``version``: schemas/<slug>, or a private generated copy if missing."""
    committed = schemagen.SCHEMAS_DIR / version.slug
    if committed.is_dir() and any(committed.rglob("*.xsd")):
        return committed
    if not schemagen.SOURCE_DIR.is_dir():  # e.g. an installed wheel missing its data
        raise SchemaLoadError(f"no generated schemas for {version} in {schemagen.SCHEMAS_DIR}, and no "
                              f"schema source ({schemagen.SOURCE_DIR}) to generate them from")
    try:
        digest = hashlib.sha256()
        for src in sorted(schemagen.SOURCE_DIR.rglob("*.xsd")):
            digest.update(str(src.relative_to(schemagen.SOURCE_DIR)).encode())
            digest.update(src.read_bytes())
        cache = Path(tempfile.gettempdir()) / f"webex-conformance-schemas-{digest.hexdigest()[:16]}"
        schemagen.generate(schemagen.SOURCE_DIR, cache, [version])
    except (schemagen.SchemaGenError, OSError) as e:
        raise SchemaLoadError(f"no generated schemas for {version} and cannot generate them: {e}") from None
    return cache / version.slug


def bundle_for(version: Version | str, schema_dir: Path | str | None = None) -> SchemaBundle:
    """The bundle to judge a server of ``version`` by.

    With ``schema_dir``, that directory's bundle (e.g. a vendor bundle); otherwise our
    generated bundle for the newest documented version not newer than ``version``.
    """
    if schema_dir is not None:
        return load_bundle(schema_dir)
    try:
        v = version if isinstance(version, Version) else parse_version(version)
        v = documented_at_or_below(v)
    except VersionError as e:
        raise SchemaLoadError(str(e)) from None
    return load_bundle(_generated_dir(v))
