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
