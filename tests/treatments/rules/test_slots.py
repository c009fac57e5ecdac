"""booking.Timeline answers exactly what checking every busy span would."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from treatments.rules.slots import Timeline, overlaps

BASE = dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC)
minutes = st.integers(min_value=0, max_value=600)
spans = st.lists(
    st.tuples(minutes, st.integers(min_value=1, max_value=120)).map(
        lambda pair: (BASE + dt.timedelta(minutes=pair[0]), BASE + dt.timedelta(minutes=sum(pair)))
    ),
    max_size=30,
)


@settings(max_examples=400)
@given(busy=spans, start=minutes, length=st.integers(min_value=1, max_value=90))
def test_free_exactly_when_no_span_overlaps(busy: list, start: int, length: int) -> None:
    begin = BASE + dt.timedelta(minutes=start)
    end = begin + dt.timedelta(minutes=length)
    expected = not any(overlaps(begin, end, s, e) for s, e in busy)
    assert Timeline(busy).is_free(begin, end) is expected


def test_touching_spans_do_not_clash_and_a_long_early_span_is_not_missed() -> None:
    at = lambda h, m=0: BASE.replace(hour=h, minute=m)  # noqa: E731
    line = Timeline([(at(9), at(17)), (at(10), at(10, 30))])  # an absence and a booking
    assert not line.is_free(at(12), at(12, 45))  # inside the long first span only
    assert Timeline([(at(9), at(10))]).is_free(at(10), at(10, 45))
    assert Timeline([]).is_free(at(9), at(18))
