"""The cyclic collector paused around bulk work, and back as it was afterwards."""

from __future__ import annotations

import gc

import pytest

from incident_tui.domain.bulk import collector_paused


def test_the_collector_is_paused_and_comes_back_after_the_outermost_pause() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off_and_an_error_ends_the_pause() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("boom")
    assert gc.isenabled()
