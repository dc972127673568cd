"""`_reach`'s sort key: (group, start) as one Int64, and the guard that stops it overflowing.

The key is group x stride + microseconds since the first launch, with stride the launches'
span plus the window plus one, so that no window reaches into the next group. Past 2^63 the
key would wrap and neighbours would be lost silently, so `_reach` refuses: these tests put
(groups + 1) x stride exactly at 2^63 and one group-stride short of it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl
import pytest

from auditor.features.launch_rhythm import _reach

WINDOW_MINUTES = 10
WINDOW_US = WINDOW_MINUTES * 60_000_000
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
GROUPS = 2**23  # groups numbered 0 .. 2^23 - 1


def launches(span_us: int) -> pl.DataFrame:
    """Two launches: group 0 at T0, and the last group `span_us` later."""
    return pl.DataFrame(
        {
            "launch": pl.Series([0, 1], dtype=pl.UInt32),
            "who": pl.Series([0, 1], dtype=pl.UInt32),
            "group": pl.Series([0, GROUPS - 1], dtype=pl.UInt32),
            "start": [T0, T0 + timedelta(microseconds=span_us)],
            "hours": [1.0, 1.0],
        }
    )


def test_a_key_reaching_two_to_the_63_is_refused() -> None:
    # stride = span + window + 1 = 2^40, so (groups + 1) x stride = 2^63 exactly.
    frame = launches(2**40 - WINDOW_US - 1)
    with pytest.raises(ValueError, match="overflow the key"):
        _reach(frame, frame, WINDOW_MINUTES)


def test_a_key_just_under_two_to_the_63_is_used() -> None:
    # One microsecond less span: (groups + 1) x (2^40 - 1) < 2^63, and every key fits.
    frame = launches(2**40 - WINDOW_US - 2)
    reach, others = _reach(frame, frame, WINDOW_MINUTES)
    # Each launch reaches only itself: the other is in another group, far away.
    assert reach.select("who", "lo", "hi").rows() == [(0, 0, 1), (1, 1, 2)]
    assert others["who"].to_list() == [0, 1]


def test_launches_of_two_groups_at_one_instant_do_not_reach_each_other() -> None:
    frame = pl.DataFrame(
        {
            "launch": pl.Series([0, 1, 2], dtype=pl.UInt32),
            "who": pl.Series([0, 1, 2], dtype=pl.UInt32),
            "group": pl.Series([0, 1, 1], dtype=pl.UInt32),
            "start": [T0, T0, T0 + timedelta(minutes=WINDOW_MINUTES)],
            "hours": [1.0, 1.0, 1.0],
        }
    )
    reach, others = _reach(frame, frame, WINDOW_MINUTES)
    spans = {
        who: others["who"][lo:hi].to_list()
        for who, lo, hi in reach.select("who", "lo", "hi").iter_rows()
    }
    # The window is inclusive at both ends, and never crosses into the other group.
    assert spans == {0: [0], 1: [1, 2], 2: [1, 2]}
