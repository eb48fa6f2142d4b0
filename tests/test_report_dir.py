"""Each run's reports in a directory of its own, with reports/latest pointing at the newest."""
import datetime as dt

import pytest

from conformance.errors import UsageError
from conformance.report_dir import latest, new_run_dir, writable_dir

NOON = dt.datetime(2026, 12, 1, 12, 0, 0, tzinfo=dt.timezone.utc)


def test_a_new_directory_per_run_and_latest_follows(tmp_path):
    base = tmp_path / "reports"
    first = new_run_dir(base, NOON)
    second = new_run_dir(base, NOON)
    third = new_run_dir(base, NOON + dt.timedelta(seconds=1))
    assert [first.name, second.name, third.name] == ["20261201T120000Z", "20261201T120000Z-2", "20261201T120001Z"]
    assert (base / "latest").is_symlink() and latest(base) == third.resolve()


def test_latest_is_a_small_file_where_links_cannot_be_made(tmp_path, monkeypatch):
    from pathlib import Path

    def refuse(self, *a, **k):
        raise OSError("symbolic links are not supported here")

    monkeypatch.setattr(Path, "symlink_to", refuse)
    base = tmp_path / "reports"
    out = new_run_dir(base, NOON)
    assert (base / "latest").read_text().strip() == out.name and latest(base) == out


def test_an_unwritable_place_is_a_usage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(UsageError, match="--output"):
        writable_dir(blocker / "sub")
    with pytest.raises(UsageError, match="is not a directory|cannot create"):
        writable_dir(blocker)
    with pytest.raises(UsageError):
        new_run_dir(blocker)
