"""Tweet IDs as timestamps: resolver/snowflake.py."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolver.snowflake import (
    FIRST_SNOWFLAKE_ID,
    id_range_for_day,
    id_range_for_days,
    is_snowflake,
    snowflake_from_time,
    snowflake_time,
)

_UTC = dt.UTC
_ONE_DAY = dt.timedelta(days=1)
# The first full UTC day after Twitter's epoch (2010-11-04T01:42:54.657Z) .. 2030.
_times = st.datetimes(
    min_value=dt.datetime(2010, 11, 5),
    max_value=dt.datetime(2030, 12, 31, 23, 59, 59, 999_999),
    timezones=st.just(_UTC),
)
_days = st.dates(min_value=dt.date(2010, 11, 5), max_value=dt.date(2030, 12, 31))


@pytest.mark.parametrize(
    ("tweet_id", "created"),
    [
        (656722946431664128, dt.datetime(2015, 10, 21, 6, 45, 26, 408_000, tzinfo=_UTC)),
        ("656722946431664128", dt.datetime(2015, 10, 21, 6, 45, 26, 408_000, tzinfo=_UTC)),
    ],
)
def test_known_tweet(tweet_id: int | str, created: dt.datetime) -> None:
    assert snowflake_time(tweet_id) == created
    assert (
        snowflake_from_time(created)
        <= int(tweet_id)
        < snowflake_from_time(created + dt.timedelta(milliseconds=1))
    )


@settings(max_examples=300, deadline=None)
@given(_times)
def test_time_round_trips_through_lowest_id(when: dt.datetime) -> None:
    millisecond = when.replace(microsecond=when.microsecond // 1000 * 1000)
    low = snowflake_from_time(when)
    assert snowflake_time(low) == millisecond
    # Lowest: the ID just below belongs to the previous millisecond.
    assert snowflake_time(low - 1) == millisecond - dt.timedelta(milliseconds=1)
    # And the whole millisecond's IDs (22 bits of worker and sequence) share its time.
    assert snowflake_time(low + (1 << 22) - 1) == millisecond


@settings(max_examples=300, deadline=None)
@given(_days, st.data())
def test_day_range(day: dt.date, data: st.DataObject) -> None:
    low, high = id_range_for_day(day)
    assert low < high
    inside = data.draw(st.integers(min_value=low, max_value=high))
    for tweet_id in (low, high, inside):
        created = snowflake_time(tweet_id)
        assert created is not None
        assert created.date() == day
    before, after = snowflake_time(low - 1), snowflake_time(high + 1)
    assert before is not None and after is not None
    assert before.date() == day - _ONE_DAY
    assert after.date() == day + _ONE_DAY


@settings(max_examples=200, deadline=None)
@given(_days, st.integers(min_value=0, max_value=400))
def test_days_range_spans_its_days(first: dt.date, extra_days: int) -> None:
    last = first + dt.timedelta(days=extra_days)
    assert id_range_for_days(first, last) == (id_range_for_day(first)[0], id_range_for_day(last)[1])
    assert id_range_for_days(first, first) == id_range_for_day(first)


def test_days_range_rejects_reversed_days() -> None:
    with pytest.raises(ValueError):
        id_range_for_days(dt.date(2020, 1, 2), dt.date(2020, 1, 1))


def test_from_time_agrees_across_zones() -> None:
    utc = dt.datetime(2015, 10, 21, 6, 45, 26, 408_000, tzinfo=_UTC)
    sao_paulo = utc.astimezone(dt.timezone(dt.timedelta(hours=-2)))
    assert snowflake_from_time(sao_paulo) == snowflake_from_time(utc)


@pytest.mark.parametrize(
    "when",
    [
        dt.datetime(2015, 10, 21, 6, 45, 26),  # naive
        dt.datetime(2010, 11, 4, 1, 42, 54, 656_000, tzinfo=_UTC),  # a millisecond before the epoch
        dt.datetime(2090, 1, 1, tzinfo=_UTC),  # past 63 bits
    ],
)
def test_from_time_rejects(when: dt.datetime) -> None:
    with pytest.raises(ValueError):
        snowflake_from_time(when)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=FIRST_SNOWFLAKE_ID))
def test_pre_snowflake_ids_have_no_time(tweet_id: int) -> None:
    assert not is_snowflake(tweet_id)
    assert snowflake_time(tweet_id) is None
    assert snowflake_time(str(tweet_id)) is None


@pytest.mark.parametrize("tweet_id", [20, 29_700_859_247, -5, 2**63, "", "abc", None])
def test_no_time(tweet_id: object) -> None:
    assert snowflake_time(tweet_id) is None  # type: ignore[arg-type]


def test_first_snowflake_has_a_time() -> None:
    created = snowflake_time(FIRST_SNOWFLAKE_ID + 1)
    assert created is not None
    assert created.date() == dt.date(2010, 11, 4)
