"""Numbers read from JSON and YAML, held to what arithmetic on them needs: being finite.

Python's json module reads NaN, Infinity and -Infinity, and makes 1e400 an infinity; YAML
has .nan and .inf; and an integer literal may be larger than any float. Every comparison
with NaN is false, so a NaN budget, threshold or timing passes every check, and float() or
int() of the others raises OverflowError. Readers refuse them through these, naming the key.
"""

from __future__ import annotations

import math
from typing import Any, TypeGuard

from harness.errors import ConfigError


def is_number(value: Any) -> TypeGuard[int | float]:
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
    if isinstance(value, float) or finite(value) is not None:
        return repr(value)
    try:
        return f"a {len(str(abs(value)))}-digit integer"
    except ValueError:  # past Python's limit for turning an int into text
        return "an integer of thousands of digits"


def reported(value: Any, where: str, fix: str) -> float | None:
    """A figure of a report.json read back: None when there is none (absent, null, not a
    number). One that is no finite float is a ConfigError, not taken for "none": the report
    writers never write one, and a NaN duration or restore time would otherwise be merged
    on (NaN is not JSON) or leave a trend out without a word."""
    if not is_number(value):
        return None
    number = finite(value)
    if number is None:
        raise ConfigError(f"{where}: {shown(value)} is not a finite number; {fix}")
    return number
