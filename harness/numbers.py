"""Numbers read from JSON and YAML, held to what arithmetic on them needs: being finite.

Python's json module reads NaN, Infinity and -Infinity, and makes 1e400 an infinity; YAML
has .nan and .inf; and an integer literal may be larger than any float. Every comparison
with NaN is false, so a NaN budget, threshold or timing passes every check, and float() or
int() of the others raises OverflowError. Readers refuse them through these, naming the key.
"""

from __future__ import annotations

import math
from typing import Any


def is_number(value: Any) -> bool:
    """Whether `value` is a JSON number (a boolean is not one, though Python says it is an int)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def finite(value: Any) -> float | None:
    """`value` as a float when it is a finite number (not a boolean), else None."""
    if not is_number(value):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer of more than 308 digits
        return None
    return number if math.isfinite(number) else None


def shown(value: float) -> str:
    """A number as an error line shows it: an integer too large for a float by its length."""
    if isinstance(value, float):
        return repr(value)
    try:
        return f"a {len(str(abs(value)))}-digit integer"
    except ValueError:  # past Python's limit for turning an int into text
        return "an integer of thousands of digits"
