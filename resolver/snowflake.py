"""Tweet IDs are Snowflakes: the high bits are a timestamp.

Since 2010-11-04 an ID is `(ms_since_twitter_epoch << 22) | worker bits | sequence`, so
an ID gives its tweet's creation time to the millisecond and a UTC day maps to an ID range.
Earlier (sequential) IDs carry no time: every function here answers None for them.
"""

from __future__ import annotations

import datetime as dt

#: Twitter's epoch, in Unix milliseconds (2010-11-04T01:42:54.657Z).
TWITTER_EPOCH_MS = 1288834974657
#: The first Snowflake IDs (November 2010) are above this; anything below is sequential.
FIRST_SNOWFLAKE_ID = 29_700_859_247  # the last known pre-Snowflake ID, plus a margin below the first
_SEQUENCE_BITS = 22
_MAX_ID = (1 << 63) - 1
_TWITTER_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(milliseconds=TWITTER_EPOCH_MS)
_ONE_MS = dt.timedelta(milliseconds=1)


def is_snowflake(tweet_id: int) -> bool:
    return FIRST_SNOWFLAKE_ID < tweet_id <= _MAX_ID and (tweet_id >> _SEQUENCE_BITS) > 0


def snowflake_time(tweet_id: int | str) -> dt.datetime | None:
    """The UTC creation time of a tweet from its ID, or None for pre-Snowflake IDs."""
    try:
        value = int(tweet_id)
    except (TypeError, ValueError):
        return None
    if not is_snowflake(value):
        return None
    ms = (value >> _SEQUENCE_BITS) + TWITTER_EPOCH_MS
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def id_range_for_day(day: dt.date) -> tuple[int, int]:
    """The inclusive range of IDs minted on a UTC calendar day."""
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    start_ms = int(start.timestamp() * 1000)
    end_ms = start_ms + 86_400_000 - 1
    low = max(0, start_ms - TWITTER_EPOCH_MS) << _SEQUENCE_BITS
    high = (max(0, end_ms - TWITTER_EPOCH_MS) << _SEQUENCE_BITS) | ((1 << _SEQUENCE_BITS) - 1)
    return low, high


def snowflake_from_time(when: dt.datetime) -> int:
    """The lowest ID minted in `when`'s millisecond (an aware datetime; sub-ms digits dropped).

    Raises ValueError for naive datetimes (their zone is a guess) and for times no 63-bit
    Snowflake can carry (before Twitter's epoch, or after 2080).
    """
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("snowflake_from_time needs an aware datetime")
    # timedelta // timedelta is exact integer arithmetic; timestamp() would go through a float.
    ms = (when - _TWITTER_EPOCH) // _ONE_MS
    if not 0 <= ms <= _MAX_ID >> _SEQUENCE_BITS:
        raise ValueError(f"{when.isoformat()} is outside the Snowflake era")
    return ms << _SEQUENCE_BITS


def id_range_for_days(first: dt.date, last: dt.date) -> tuple[int, int]:
    """The inclusive range of IDs minted from the start of UTC day `first` to the end of `last`."""
    if last < first:
        raise ValueError(f"empty day range: {first} .. {last}")
    return id_range_for_day(first)[0], id_range_for_day(last)[1]
