import pytest

from refclient import ServerPool

pytest_plugins = ["pytester"]


@pytest.fixture(scope="module")
def ref_servers():
    """Reference servers shared by one test module, one per (version, defects, overrides), stopped after it."""
    pool = ServerPool()
    yield pool
    pool.close()


@pytest.fixture
def ref_fresh():
    """A new reference server on every request, for tests that change state; stopped after the test."""
    pool = ServerPool(reuse=False)
    yield pool
    pool.close()
