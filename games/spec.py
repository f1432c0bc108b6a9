"""Parsing of `name:key=value,...` specs, the one syntax for games and agents alike.

Also the one place that decides what a number written by a person is: ASCII digits only
(`str.isdigit`, `int()` and `float()` also accept Arabic-Indic or fullwidth digits, which
would turn `٤٤٥٣` into a connect-four position), finite, and inside a stated range. Spec
options, command-line flags and config-file values all go through `check_number`, so every
refusal names the input and what is valid in the same words.
"""

from __future__ import annotations

import math
import re

from games.errors import SpecError

_NAME = re.compile(r"^[a-z][a-z0-9_\-]*$")
# At most 30 digits: int() refuses strings of over 4,300 digits with a bare ValueError, and no
# option of this project needs more than a few.
_INTEGER = re.compile(r"[+-]?[0-9]{1,30}")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][+-]?[0-9]{1,4})?")


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty run of the ASCII digits 0-9 and nothing else."""
    return text.isascii() and text.isdigit()


def describe_range(*, integer: bool, minimum: float | None = None, maximum: float | None = None,
                   positive: bool = False) -> str:
    """'an integer from 1 to 1024', 'a finite number > 0 and <= 86400', ...: what is valid."""
    kind = "an integer" if integer else "a finite number"
    low, high = _show(minimum), _show(maximum)
    if positive:
        return f"{kind} > 0" + (f" and <= {high}" if maximum is not None else "")
    if minimum is not None and maximum is not None:
        return f"{kind} from {low} to {high}"
    if minimum is not None:
        return f"{kind} >= {low}"
    if maximum is not None:
        return f"{kind} <= {high}"
    return kind


def _show(bound: float | None) -> str:
    """A bound as a person writes it: 86400, not 86400.0; 1e-08, not 0.00000001."""
    if bound is None or isinstance(bound, int):
        return str(bound)
    return f"{bound:g}"


def check_number(value: object, *, name: str = "", integer: bool = False, minimum: float | None = None,
                 maximum: float | None = None, positive: bool = False) -> int | float:
    """`value` itself if it is a number of the right kind inside the range, else a SpecError.

    Accepts Python numbers only (a bool is not a number here, and for an integer neither is
    2.0), so JSON config values and parsed command-line text share one rule. `name` prefixes
    the message ("option sims in 'mcts:sims=0': expected an integer >= 1, got 0").
    """
    if integer:
        good = isinstance(value, int) and not isinstance(value, bool)
    else:
        good = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if good:
        good = ((not positive or value > 0) and (minimum is None or value >= minimum)
                and (maximum is None or value <= maximum))
    if not good:
        valid = describe_range(integer=integer, minimum=minimum, maximum=maximum, positive=positive)
        raise SpecError(f"{name + ': ' if name else ''}expected {valid}, got {value!r}")
    return value if integer else float(value)


def to_int(text: str, *, name: str = "", minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer written in ASCII digits (optional sign), checked by `check_number`."""
    stripped = text.strip() if isinstance(text, str) else text
    value = int(stripped) if isinstance(stripped, str) and _INTEGER.fullmatch(stripped) else text
    return check_number(value, name=name, integer=True, minimum=minimum, maximum=maximum)


def to_float(text: str, *, name: str = "", minimum: float | None = None, maximum: float | None = None,
             positive: bool = False) -> float:
    """A finite decimal number written in ASCII (no inf, nan or underscores), checked by `check_number`."""
    stripped = text.strip() if isinstance(text, str) else text
    value = float(stripped) if isinstance(stripped, str) and _DECIMAL.fullmatch(stripped) else text
    if isinstance(value, float) and not math.isfinite(value):
        value = text  # 1e999 overflows to inf: report what was written
    return check_number(value, name=name, minimum=minimum, maximum=maximum, positive=positive)


def parse_spec(spec: str, *, kind: str = "spec") -> tuple[str, dict[str, str]]:
    """Splits `name:key=value,key=value` into the name and a dict of raw string options.

    Values may contain ':' or '=' (paths do), but not ','. Keys must be unique.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise SpecError(f"empty {kind}: expected name[:key=value,...]")
    text = spec.strip()
    name, _, rest = text.partition(":")
    name = name.strip().lower()
    if not _NAME.match(name):
        raise SpecError(f"malformed {kind} {spec!r}: expected name[:key=value,...]")
    options: dict[str, str] = {}
    if rest.strip():
        for item in rest.split(","):
            key, sep, value = item.partition("=")
            key = key.strip().lower()
            if not sep or not key or not value.strip():
                raise SpecError(f"malformed option {item.strip()!r} in {kind} {spec!r}: expected key=value")
            if key in options:
                raise SpecError(f"option {key!r} given twice in {kind} {spec!r}")
            options[key] = value.strip()
    return name, options


def parse_int(value: str, *, key: str, spec: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """Parses one integer option with a clear error naming the option and the spec."""
    return to_int(value, name=f"option {key} in {spec!r}", minimum=minimum, maximum=maximum)


def parse_float(value: str, *, key: str, spec: str, minimum: float | None = None, maximum: float | None = None,
                positive: bool = False) -> float:
    """Parses one finite float option with a clear error naming the option and the spec."""
    return to_float(value, name=f"option {key} in {spec!r}", minimum=minimum, maximum=maximum, positive=positive)


def parse_bool(value: str, *, key: str, spec: str) -> bool:
    """Parses true/false, yes/no, 1/0."""
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SpecError(f"option {key}={value!r} in {spec!r} must be true or false")
