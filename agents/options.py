"""Typed agent options: each agent declares its options once, as `Option`s.

That one declaration is what parses a spec (`read_options`), what the help prints
(`Option.usage`, `Option.describe`), what an error names (one line: the option, what is valid)
and what the window's strength control sets (the option marked `strength`); so an option's
type, default, bounds and help cannot drift apart between those readers. The agents and their
declarations are in agents/registry.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from games import SpecError
from games.spec import check_number, describe_range, parse_bool, parse_float, parse_int

OptionValue = int | float | bool | str | None
_TYPES = (int, float, bool, str)
_METAVARS = {int: "N", float: "X", bool: "true|false", str: "TEXT"}


@dataclasses.dataclass(frozen=True)
class Option:
    """One `name=value` option of an agent spec: its type, default, bounds and help."""

    name: str
    type: type  # int, float, bool or str
    default: OptionValue  # None: unset unless given; `default_text` says what that means
    help: str
    minimum: float | None = None
    maximum: float | None = None
    positive: bool = False  # floats only: > 0 (for a budget, where 0 means nothing)
    choices: tuple[str, ...] = ()  # str only: the valid words (case-insensitive), in help order
    metavar: str = ""  # the placeholder in help (default: N, X, true|false, or the choices)
    default_text: str = ""  # what a None default means, e.g. "the board's released model"
    setting: str = ""  # the `SearchSettings` field this option sets, if any
    strength: bool = False  # sets how strongly the agent plays (the window's strength control)

    def __post_init__(self) -> None:
        # Declarations are code: a wrong one fails at import, not when a user first names it.
        if self.type not in _TYPES:
            raise TypeError(f"option {self.name}: type must be one of int, float, bool, str")
        if self.positive and self.type is not float:
            raise TypeError(f"option {self.name}: positive= is for float options")
        if self.choices and self.type is not str:
            raise TypeError(f"option {self.name}: choices= is for str options")
        if self.default is not None:
            self.check(self.default)

    def parse(self, text: str, *, spec: str) -> OptionValue:
        """The typed value of `name=text` in `spec`, or one line naming the option and what is valid."""
        if self.type is int:
            return parse_int(text, key=self.name, spec=spec, minimum=self.minimum, maximum=self.maximum)
        if self.type is float:
            return parse_float(text, key=self.name, spec=spec, minimum=self.minimum, maximum=self.maximum,
                               positive=self.positive)
        if self.type is bool:
            return parse_bool(text, key=self.name, spec=spec)
        return self._word(text, spec)

    def check(self, value: Any, *, spec: str = "") -> OptionValue:
        """`value` if it is valid for this option (a typed value set by code), else a one-line SpecError."""
        where = f"option {self.name}" + (f" in {spec!r}" if spec else "")
        if self.type in (int, float):
            return check_number(value, name=where, integer=self.type is int, minimum=self.minimum,
                                maximum=self.maximum, positive=self.positive)
        if (self.type is bool and not isinstance(value, bool)) or (self.type is str and not isinstance(value, str)):
            raise SpecError(f"{where}: expected {self.valid()}, got {value!r}")
        return value if self.type is bool else self._word(value, spec)

    def _word(self, text: str, spec: str) -> str:
        if not self.choices:
            return text
        word = text.lower()
        if word not in self.choices:
            where = f" in {spec!r}" if spec else ""
            raise SpecError(f"option {self.name}={word!r}{where} is not valid; valid: {', '.join(self.choices)}")
        return word

    def format(self, value: OptionValue) -> str:
        """`value` as a spec writes it, so that parsing the text gives `value` back."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            short = f"{value:g}"  # 2.0 -> "2", 0.25 -> "0.25"; exact, else the full repr
            return short if float(short) == value else repr(value)
        return str(value)

    def valid(self) -> str:
        """What is valid, in the words the errors use: 'an integer from 1 to 1000000', 'puct or gumbel'."""
        if self.type is bool:
            return "true or false"
        if self.choices:
            return " or ".join(self.choices)
        if self.type is str:
            return "text"
        return describe_range(integer=self.type is int, minimum=self.minimum, maximum=self.maximum,
                              positive=self.positive)

    def usage(self) -> str:
        """`name=METAVAR`, e.g. `sims=N`, `policy=puct|gumbel`."""
        metavar = self.metavar or ("|".join(self.choices) if self.choices else _METAVARS[self.type])
        return f"{self.name}={metavar}"

    def describe(self) -> str:
        """The option's help: what it does, its bounds, its default."""
        default = f"default {self.format(self.default)}" if self.default is not None else (
            f"default: {self.default_text or 'none'}")
        bounds = ""
        if self.type in (int, float):  # "from 1 to 1000000", "> 0 and <= 86400": the errors' words
            bounds = self.valid().removeprefix("an integer ").removeprefix("a finite number ") + "; "
        return f"{self.help} ({bounds}{default})"


def declare(*options: Option) -> Mapping[str, Option]:
    """An agent's options by name, in declaration order (the order help and errors list them)."""
    names = [o.name for o in options]
    if len(set(names)) != len(names):
        raise ValueError(f"an option is declared twice: {names}")
    return {o.name: o for o in options}


def check_options(spec: str, options: Mapping[str, Any], valid: Mapping[str, Any]) -> None:
    """Rejects options an agent does not know, listing the ones it does."""
    for key in options:
        if key not in valid:
            listed = ", ".join(valid) if valid else "none"
            raise SpecError(f"unknown option {key!r} in agent {spec!r}; valid options: {listed}")


def read_options(spec: str, raw: Mapping[str, str], declared: Mapping[str, Option]) -> dict[str, OptionValue]:
    """The options written in `spec` (raw text by name), each parsed by its declaration, in spec order.

    Only what the spec gives: `with_defaults` adds the rest. Unknown names and bad values raise
    one-line SpecErrors that name the option and what is valid.
    """
    check_options(spec, raw, declared)
    return {key: declared[key].parse(text, spec=spec) for key, text in raw.items()}


def with_defaults(given: Mapping[str, OptionValue], declared: Mapping[str, Option]) -> dict[str, OptionValue]:
    """Every declared option: the given value, else the declared default (None where unset)."""
    return {name: given.get(name, option.default) for name, option in declared.items()}


def write_spec(name: str, given: Mapping[str, OptionValue], declared: Mapping[str, Option]) -> str:
    """The spec `name:key=value,...` of typed options (None values left out), in their order."""
    items = [f"{key}={declared[key].format(value)}" for key, value in given.items() if value is not None]
    return name + (":" + ",".join(items) if items else "")
