"""docs/CASES.md and the loader agree: the check kinds and the vocabulary are the code's."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from conformance import casedoc
from conformance.cases import CASE_KEYS, EXPECT_KEYS, KINDS, ROLES, SITES, STEP_KEYS, load_case_file
from conformance.checks import CHECKS, FILE_KEYS

DOC = Path(__file__).resolve().parents[1] / "docs" / "CASES.md"


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def example() -> str:
    return re.search(r"```toml\n(.*?)```", doc_text(), re.S).group(1)


def test_generated_blocks_match_the_code():
    text = doc_text()
    assert casedoc.update(text) == text, "run: python -m conformance.casedoc docs/CASES.md"


def test_a_stale_block_is_noticed():
    text = doc_text()
    stale = text.replace(casedoc.check_lines()[0] + "\n", "")
    assert casedoc.update(stale) != stale
    stale = text.replace(f"- `role`: {' | '.join(ROLES)}", "- `role`: host")
    assert casedoc.update(stale) == text


def test_the_example_is_a_case_the_loader_accepts(tmp_path):
    path = tmp_path / "example.toml"
    path.write_text(example(), encoding="utf-8")
    case = load_case_file(path)
    first = case.steps[0].expect[0]
    assert [k for k, _ in first.checks if k in FILE_KEYS] == list(FILE_KEYS)


def test_the_example_names_every_field_and_only_known_ones():
    data = tomllib.loads(example())
    assert set(data) <= set(CASE_KEYS) and set(CASE_KEYS) - set(data) == {"not_observable", "embedded_only"}
    step = data["step"][0]
    assert set(step) == set(STEP_KEYS)
    assert set(step["expect"][0]) == set(EXPECT_KEYS) - {"not_applicable"}
    for key in ("not_observable", "not_applicable", "embedded_only"):
        assert re.search(rf"^# {key} = ", example(), re.M), key


def test_the_example_comments_list_the_closed_vocabularies():
    text = example()
    for key, values in (("kind", KINDS), ("role", ROLES), ("site", SITES)):
        line = re.search(rf'^{key} = "[^"]*"\s+# (.*)$', text, re.M).group(1)
        assert line == " | ".join(values), key


def test_every_check_kind_but_drift_is_settable_and_documented():
    assert [k.key for k in CHECKS if k.parse is None] == ["drift"]
    assert all(k.summary and (k.example.startswith(f"{k.key} = ") or k.parse is None) for k in CHECKS)
