"""The hypothesis plugin's summary is dropped only where hypothesis never ran."""
import subprocess
import sys

CONFTEST = '''
import sys
pytest_plugins = ["conformance.hypothesis_guard"]
def pytest_unconfigure(config):
    print("HYPOTHESIS-IMPORTED=" + str("hypothesis" in sys.modules))
'''


def _pytest(tmp_path, test_text: str, *args: str) -> str:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_x.py").write_text(test_text)
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "-p", "no:randomly",
                        str(tmp_path), *args], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


def test_a_session_without_hypothesis_never_imports_it(tmp_path):
    out = _pytest(tmp_path, "def test_plain():\n    assert 1\n")
    assert "HYPOTHESIS-IMPORTED=False" in out


def test_a_session_that_used_hypothesis_keeps_its_summary(tmp_path):
    out = _pytest(tmp_path, "from hypothesis import given, strategies as st\n"
                            "@given(st.integers())\ndef test_prop(x):\n    assert x == x\n",
                  "--hypothesis-show-statistics", "--hypothesis-seed", "3")
    assert "Hypothesis Statistics" in out and "test_prop" in out
    assert "HYPOTHESIS-IMPORTED=True" in out


def test_without_the_guard_the_summary_imports_hypothesis(tmp_path):
    # What the guard saves: the same session with our plugin (and so the guard) disabled.
    (tmp_path / "conftest.py").write_text(CONFTEST.replace('pytest_plugins = ["conformance.hypothesis_guard"]', ""))
    (tmp_path / "test_x.py").write_text("def test_plain():\n    assert 1\n")
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "-p", "no:randomly",
                        "-p", "no:webex_conformance", str(tmp_path)], capture_output=True, text=True, timeout=120,
                       cwd=tmp_path)
    assert "HYPOTHESIS-IMPORTED=True" in p.stdout
