"""Ctrl-C and SIGTERM deferred by critical sections (signals sent to this very process)."""
from __future__ import annotations

import signal

import pytest

from conformance.interrupts import DeferredInterrupt


@pytest.fixture
def interrupts():
    d = DeferredInterrupt().install()
    yield d
    d.uninstall()


def test_a_signal_in_a_critical_section_is_raised_when_it_ends(interrupts):
    done = []
    with pytest.raises(KeyboardInterrupt, match="signal 15"):
        with interrupts.critical():
            signal.raise_signal(signal.SIGTERM)
            done.append("after the signal")
    assert done == ["after the signal"]


def test_a_second_signal_abandons_an_ordinary_section(interrupts):
    done = []
    with pytest.raises(KeyboardInterrupt):
        with interrupts.critical():
            signal.raise_signal(signal.SIGINT)
            signal.raise_signal(signal.SIGINT)
            done.append("not reached")
    assert done == []


def test_a_held_section_defers_every_signal_even_inside_an_ordinary_one(interrupts):
    done = []
    with pytest.raises(KeyboardInterrupt, match="signal 2"):
        with interrupts.critical():
            with interrupts.critical(hold=True):
                for _ in range(3):     # xdist's controller signalling its worker again
                    signal.raise_signal(signal.SIGINT)
                done.append("the create's key is recorded")
            done.append("the rest of the outer section")
    assert done == ["the create's key is recorded", "the rest of the outer section"]
    assert interrupts.depth == 0 and interrupts.holding == 0


def test_outside_any_section_a_signal_is_raised_at_once(interrupts):
    with pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)
