"""The token Twitter's embed widget sends with a tweet ID to the syndication endpoint.

The widget (platform.twitter.com's embed JavaScript) fetches a tweet from
`https://cdn.syndication.twimg.com/tweet-result?id=ID&lang=en&token=TOKEN`. The token is no
secret, it is derived from the ID alone, but a client that wants the widget's answer sends
the widget's token, computed in its JavaScript as

    ((Number(id) / 1e15) * Math.PI).toString(36).replace(/(0+|\\.)/g, '')

so recovering a tweet through that endpoint means computing it exactly as a browser does.
Three steps matter:

- `Number(id)` rounds the decimal ID to the nearest IEEE double, ties to even. Python's
  `float(int(id))` rounds the same way (CPython's int -> float conversion is correctly
  rounded, half to even), and `/ 1e15` and `* Math.PI` are the same IEEE operations in
  both languages.
- `Number.prototype.toString(36)` is where Python has no equivalent. Python formats floats
  in base 10 only, and converting the double's exact value digit by digit gives every digit
  down to its last bit, a much longer string. JavaScript prints only the digits the double's
  precision justifies, and V8 (Chrome, Edge, Node) computes them in floating point, in
  `DoubleToRadixCString` (src/numbers/conversions.cc; `DoubleToRadixStringView` in current
  V8). Those float operations are exact for values from 8 up (IDs from about 2.5e15), but
  below that they round, and for most small values (every pre-Snowflake ID) the last digits
  differ even from an exact computation of V8's own rule. `js_radix_string` is therefore a
  port of that algorithm, float operation for float operation.
- The regular expression removes every run of zeros and the radix point, not only
  leading or trailing ones.
"""

from __future__ import annotations

import math
from decimal import Decimal

__all__ = ["js_radix_string", "syndication_token"]

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
#: The smallest positive double (a denormal): V8's floor for the precision bound `delta`.
_MIN_POSITIVE = math.nextafter(0.0, 1.0)
#: The number of bits in a double's significand, hidden bit included.
_SIGNIFICAND_BITS = 53


def js_radix_string(value: float, radix: int = 36) -> str:
    """What JavaScript's `value.toString(radix)` returns (as V8 computes it).

    Radix 10 is JavaScript's shortest round-tripping decimal form (`Number::toString`);
    every other radix follows V8's `DoubleToRadixCString`. Raises ValueError for a radix
    outside 2..36, where JavaScript throws a RangeError.
    """
    if isinstance(radix, bool) or not isinstance(radix, int) or not 2 <= radix <= 36:
        raise ValueError(f"radix must be an integer in 2..36, not {radix!r}")
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        # JavaScript prints -0 as "0" in every radix.
        return "0"
    if radix == 10:
        return _js_decimal_string(value)
    return _double_to_radix_string(value, radix)


def syndication_token(tweet_id: int | str) -> str:
    """The `token` parameter the embed widget sends for `tweet_id` (a decimal string or int)."""
    number = _js_number_from_id(tweet_id)
    radix_string = js_radix_string((number / 1e15) * math.pi, 36)
    # The widget's /(0+|\.)/g: every zero and the point go, wherever they are.
    return radix_string.replace("0", "").replace(".", "")


def _js_number_from_id(tweet_id: int | str) -> float:
    """`Number(id)`: the double nearest the ID, ties to even."""
    if isinstance(tweet_id, bool):
        raise TypeError("a tweet ID is an int or a decimal string, not a bool")
    if isinstance(tweet_id, str):
        # Only plain ASCII digits: int() would also accept "1_000", "+5" or Arabic-Indic
        # digits, on which Number() disagrees (NaN) or which are no tweet ID anyway.
        if not (tweet_id.isascii() and tweet_id.isdigit()):
            raise ValueError(f"not a tweet ID: {tweet_id!r}")
        tweet_id = int(tweet_id)
    elif not isinstance(tweet_id, int):
        raise TypeError(f"a tweet ID is an int or a decimal string, not {type(tweet_id).__name__}")
    if tweet_id < 0:
        raise ValueError(f"not a tweet ID: {tweet_id}")
    # Exact big int -> nearest double, half to even: the same rounding as JavaScript's
    # decimal string -> Number conversion (float("...") would also do, but parses twice).
    return float(tweet_id)


def _double_to_radix_string(value: float, radix: int) -> str:
    """A port of V8's DoubleToRadixCString for a finite, non-zero double and radix != 10.

    Every arithmetic step is a double operation in the same order as V8's, because the
    last digits depend on their rounding; do not "simplify" it into exact arithmetic.
    """
    negative = value < 0
    if negative:
        value = -value

    # Split into integer and fractional parts (both exact: floor of a double is a double).
    integer = float(math.floor(value))
    fraction = value - integer

    # Digits are only worth printing down to the double's own precision: half the gap to
    # the next double up. Denormals' half gap underflows to 0, hence the floor.
    delta = 0.5 * (math.nextafter(value, math.inf) - value)
    delta = max(_MIN_POSITIVE, delta)

    fraction_digits: list[int] = []
    # `>=` as in current V8 (and Node 20, which prints digits for 5e-324); older V8 had `>`,
    # which differs only when the remainder equals delta, as for the smallest denormals.
    if fraction >= delta:
        while True:
            # Shift up by one digit.
            fraction *= radix
            delta *= radix
            digit = int(fraction)  # truncation, like static_cast<int>
            fraction_digits.append(digit)
            fraction -= digit
            # Round the last digit, half to even, but only when rounding up stays within
            # the precision bound (otherwise the next digit decides).
            if (fraction > 0.5 or (fraction == 0.5 and digit & 1)) and fraction + delta > 1:
                # Round up: increment the last digit, carrying into the earlier ones; a digit
                # that would reach the radix is dropped (it would be a trailing zero), and a
                # carry past the point increments the integer part.
                while True:
                    if not fraction_digits:
                        integer += 1
                        break
                    last = fraction_digits.pop()
                    if last + 1 < radix:
                        fraction_digits.append(last + 1)
                        break
                break
            if not fraction >= delta:
                break

    # Integer digits. Beyond 2**53 a double has no units digit to print: V8 divides by the
    # radix (rounding each time) and prints zeros until the quotient is below 2**53 * radix.
    integer_digits: list[str] = []
    while _binary_exponent(integer / radix) > 0:
        integer /= radix
        integer_digits.append("0")
    while True:
        remainder = math.fmod(integer, radix)
        integer_digits.append(_DIGITS[int(remainder)])
        integer = (integer - remainder) / radix
        if not integer > 0:
            break

    text = "".join(reversed(integer_digits))
    if fraction_digits:
        text += "." + "".join(_DIGITS[d] for d in fraction_digits)
    return "-" + text if negative else text


def _binary_exponent(value: float) -> int:
    """V8's `Double(value).Exponent()`: e with value = significand * 2**e, significand a
    53-bit integer; positive exactly when value >= 2**53."""
    _, exponent = math.frexp(value)  # value = m * 2**exponent with 0.5 <= m < 1
    return exponent - _SIGNIFICAND_BITS


def _js_decimal_string(value: float) -> str:
    """JavaScript's `Number::toString` for a finite non-zero double (ECMA-262, radix 10).

    Python's repr already finds the shortest digit string that rounds back to the double
    (the closest such, like V8's DTOA_SHORTEST); only the layout differs (JavaScript writes
    "1e+21" and "1e-7", and plain digits from 1e-6 up to 1e21).
    """
    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)  # finite
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    exponent += len(digit_tuple) - len(digits)  # the stripped zeros
    k = len(digits)
    n = exponent + k  # value = 0.digits * 10**n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        text = f"{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
    return "-" + text if sign else text
