"""Loading XSD bundles and judging responses against them.

A bundle is a directory of .xsd files laid out like the vendor's.  Its service.xsd does
not import the per-service schemas: a reply's body type is picked by ``xsi:type`` on
``serv:bodyContent``, so every namespace in the directory must be compiled into one
schema.  Compiling takes a second or two, so each directory is compiled once per process.

XSD 1.1 is used for every bundle: our generated schemas need its open content, and the
vendor's 1.0 bundle compiles unchanged under it.
"""
from __future__ import annotations

import copy
import hashlib
import re
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xmlschema
from lxml import etree

from . import errors
from . import schemagen
from .errors import one_line
from .namespaces import XSI_TYPE, xsi_type
from .nodepath import line_of as _line, node_path as _path
from .versions import Version, VersionError, documented_at_or_below, parse_version

__all__ = [
    "SchemaIssue",
    "SchemaBundle",
    "SchemaLoadError",
    "load_bundle",
    "bundle_for",
]

_XSI_TYPE = XSI_TYPE
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
    name: str
    directory: Path
    namespaces: dict[str, Path]
    schema: Any = field(repr=False)

    def validate(self, root: etree._Element) -> list[SchemaIssue]:
        """Every schema error in the message, each with a location in the instance."""
        root = _as_element(root)
        issues: list[SchemaIssue] = []
        try:
            work = _without_unknown_types(root, self.schema, issues)
            for err in self.schema.iter_errors(work):
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
        root = _as_element(root)
        found: list[str] = []
        if not isinstance(root.tag, str):
            return found
        decl = self.schema.maps.elements.get(root.tag)
        if decl is None:
            return [_path(root)]
        try:
            self._walk(root, self._type_of(root, decl.type), found)
        except Exception as e:  # a schema shape we do not understand must not crash a run
            found.append(f"{_path(root)} (drift check stopped: {one_line(str(e))})")
        return found

    def _type_of(self, elem: etree._Element, declared: Any) -> Any:
        qname = _xsi_type_qname(elem)
        if qname is not None:
            return self.schema.maps.types.get(qname, declared)
        return declared

    def _walk(self, elem: etree._Element, xsd_type: Any, found: list[str]) -> None:
        children = [c for c in elem if isinstance(c.tag, str)]
        if not children:
            return
        declared = _child_declarations(xsd_type)
        for child in children:
            decl = declared.get(child.tag)
            if decl is None:
                found.append(_path(child))
                continue
            self._walk(child, self._type_of(child, decl.type), found)


def _as_element(root: Any) -> etree._Element:
    """Accept a parsed document as well as its root element."""
    return root.getroot() if isinstance(root, etree._ElementTree) else root


def _child_declarations(xsd_type: Any) -> dict[str, Any]:
    """Element name -> declaration, for the elements a complex type's content model names."""
    content = getattr(xsd_type, "content", None)
    if content is None or not hasattr(content, "iter_elements"):
        return {}
    out: dict[str, Any] = {}
    for item in content.iter_elements():
        name = getattr(item, "name", None)
        if name and hasattr(item, "type") and name not in out:
            out[name] = item
    return out


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
        value = elem.get(_XSI_TYPE)
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
        del target.attrib[_XSI_TYPE]
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
    try:
        schema = xmlschema.XMLSchema11([str(f) for f in files], base_url=str(directory))
    except xmlschema.XMLSchemaException as e:
        raise SchemaLoadError(_load_error_line(e, directory)) from None
    except (OSError, ValueError, TypeError, KeyError) as e:
        raise SchemaLoadError(f"{directory}: cannot compile schemas: {one_line(str(e))}") from None
    return SchemaBundle(_bundle_name(directory, files), directory, namespaces, schema)


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
