"""The in-window opponent menu: which agent, and its strength, chosen with the arrow keys.

Input state only: the app moves the cursor and applies the choice; `rows()` is what the
frame view shows of it.
"""

from __future__ import annotations

import dataclasses

from arena.window import analysis


@dataclasses.dataclass
class Menu:
    """The in-window opponent menu: which agent, and its strength (simulations or depth)."""

    names: list[str]
    agent_index: int
    strength: int | None
    cursor: int = 0

    @property
    def name(self) -> str:
        return self.names[self.agent_index]

    def steps(self) -> tuple[int, ...]:
        option = analysis.strength_option(self.name)
        return analysis.STRENGTH_STEPS.get(option, ()) if option else ()

    def rows(self) -> list[str]:
        option = analysis.strength_option(self.name)
        strength = "(fixed)" if option is None else f"{option}={self.strength if self.strength else 'default'}"
        return [f"opponent:  < {self.name} >", f"strength:  < {strength} >", "apply"]

    def change(self, delta: int) -> None:
        if self.cursor == 0:
            self.agent_index = (self.agent_index + delta) % len(self.names)
            steps = self.steps()
            if steps and self.strength not in steps:
                self.strength = steps[len(steps) // 2]
        elif self.cursor == 1:
            steps = self.steps()
            if not steps:
                return
            if self.strength not in steps:
                self.strength = steps[len(steps) // 2]
            else:
                i = steps.index(self.strength)
                self.strength = steps[max(0, min(len(steps) - 1, i + delta))]

    def spec(self) -> str:
        return analysis.with_strength(self.name, self.strength)
