"""Parsing of `name:key=value,...` specs, the one syntax for games and agents alike."""

from __future__ import annotations

import re

from games.errors import SpecError

_NAME = re.compile(r"^[a-z][a-z0-9_\-]*$")


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
    try:
        number = int(value)
    except ValueError:
        raise SpecError(f"option {key}={value!r} in {spec!r} is not an integer") from None
    if minimum is not None and number < minimum:
        raise SpecError(f"option {key}={number} in {spec!r} must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise SpecError(f"option {key}={number} in {spec!r} must be at most {maximum}")
    return number


def parse_float(value: str, *, key: str, spec: str, minimum: float | None = None) -> float:
    """Parses one float option with a clear error naming the option and the spec."""
    try:
        number = float(value)
    except ValueError:
        raise SpecError(f"option {key}={value!r} in {spec!r} is not a number") from None
    if number != number or (minimum is not None and number < minimum):
        raise SpecError(f"option {key}={value} in {spec!r} must be a number >= {minimum}")
    return number


def parse_bool(value: str, *, key: str, spec: str) -> bool:
    """Parses true/false, yes/no, 1/0."""
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SpecError(f"option {key}={value!r} in {spec!r} must be true or false")
