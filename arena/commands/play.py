"""Play against an agent in a pygame window, or render one frame of it to a PNG.

Examples:
  arena play                                    connect four against the default opponent
  arena play --game tictactoe --first agent     the agent opens
  arena play --opponent mcts:sims=400 --overlay visits --overlay winbar
  arena play --position 4453 --overlay policy --overlay solver --screenshot c4.png

In the window press h (or ?) for the keys: p policy heat map, v visits and values, w win
bar, s solver hint, u undo, r redo, n new game, x swap sides, m opponent menu, a watch
mode, +/- watch speed, c copy the move list, Esc quit.
"""

from __future__ import annotations

import argparse

NAME = "play"
HELP = "play against an agent in a window (or save a screenshot)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from arena.window.analysis import OVERLAYS  # one list, beside what each overlay shows

    parser.add_argument("--game", default="connect4", help="game spec (default connect4), e.g. tictactoe, "
                        "connect4:rows=5,cols=6")
    parser.add_argument("--opponent", default=None, metavar="SPEC",
                        help="agent spec, e.g. random, mcts:sims=400, az:sims=200 (default: az when a "
                        "released model exists for the game, else mcts)")
    parser.add_argument("--first", choices=("human", "agent"), default="human", help="who plays X (default human)")
    parser.add_argument("--position", default="", metavar="MOVES", help="start from these moves, e.g. 4453")
    parser.add_argument("--overlay", action="append", choices=OVERLAYS, default=[],
                        help="analysis overlay shown from the start (repeatable)")
    parser.add_argument("--screenshot", default=None, metavar="PATH",
                        help="render one frame with the overlays to a PNG and exit (no window)")
    parser.add_argument("--size", default="960x640", metavar="WxH", help="window size (default 960x640)")
    from agents.search_settings import MAX_SIMULATIONS
    from agents.solver.limits import MAX_SECONDS
    from arena.checks import SEED, float_arg, int_arg

    parser.add_argument("--sims", type=int_arg(1, MAX_SIMULATIONS), default=None,
                        help="opponent strength: simulations (or depth) for the default opponent")
    parser.add_argument("--solver-budget", type=float_arg(maximum=MAX_SECONDS, positive=True), default=5.0,
                        metavar="SECONDS", help="time budget of the solver hint per position (default 5)")
    parser.add_argument("--seed", type=SEED, default=0, help="seed of the agent's randomness")


def parse_size(text: str) -> tuple[int, int]:
    """'960x640' -> (960, 640), with a one-line error for anything else."""
    from games.errors import SuiteError
    from games.spec import is_ascii_digits

    w, sep, h = text.lower().partition("x")
    if (not sep or not is_ascii_digits(w) or not is_ascii_digits(h) or len(w) > 4 or len(h) > 4
            or not (200 <= int(w) <= 8000 and 200 <= int(h) <= 8000)):
        raise SuiteError(f"--size {text!r}: expected WIDTHxHEIGHT in pixels, e.g. 960x640 (200..8000)")
    return int(w), int(h)


def run(args: argparse.Namespace) -> int:
    import os

    from games import make as make_game

    size = parse_size(args.size)
    if args.screenshot is not None:
        from arena.checks import output_file

        output_file(args.screenshot, "--screenshot")  # before any agent is built
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    game = make_game(args.game)
    game.from_moves(args.position)  # a bad position fails here, naming the move
    from arena.window import analysis
    from arena.window.app import App, screenshot

    opponent = args.opponent
    if args.sims is not None:
        opponent = analysis.with_strength(opponent or analysis.default_opponent(game), args.sims)
    options = dict(opponent=opponent, first=args.first, position=args.position, overlays=args.overlay,
                   seed=args.seed, solver_budget=args.solver_budget)
    if args.screenshot is not None:
        path = screenshot(game, args.screenshot, size=size, **options)
        print(f"saved {path} ({size[0]}x{size[1]})")
        return 0
    import pygame

    app = App(game, size=size, **options)
    try:
        app.run()
    finally:
        pygame.quit()
    return 0
