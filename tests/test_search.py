"""Search on mctx: tactics on both games, masking inside the tree, signs, determinism, perfect play.

Positions are move strings (1-based, Pons' notation for connect four; tic-tac-toe cells
1..9 row by row from the top left). Where a test claims "every move loses", the claim is
checked by the exhaustive minimax below, written here so the tests need no other solver.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import mctx
import numpy as np
import pytest

import agents
import games
from agents.network import default_config, init_network
from agents.search import (
    NetworkEvaluator,
    RolloutEvaluator,
    SearchSettings,
    compiled_search,
    make_recurrent_fn,
    make_root,
    run_search,
)


# ---- an exhaustive reference minimax for the family ----------------------------------------
@functools.cache
def _reference(rows: int, cols: int, k: int, gravity: bool):
    """Mover's score: +(empty cells left after the winning move + 1) for a win (sooner is
    bigger), the negative for a loss, 0 for a draw. Plain Python, memoized on the board."""
    n = rows * cols
    lines = []
    for r in range(rows):
        for c in range(cols):
            for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
                if 0 <= r + dr * (k - 1) < rows and 0 <= c + dc * (k - 1) < cols:
                    lines.append(tuple((r + dr * i) * cols + c + dc * i for i in range(k)))
    through = [[line for line in lines if cell in line] for cell in range(n)]

    def moves(board):
        if not gravity:
            return [(i, i) for i in range(n) if board[i] == 0]
        out = []
        for c in range(cols):
            if board[c] == 0:
                r = max(r for r in range(rows) if board[r * cols + c] == 0)
                out.append((c, r * cols + c))
        return out

    def move_scores(board, stone):
        scores = {}
        empties = board.count(0)
        for action, cell in moves(board):
            child = board[:cell] + (stone,) + board[cell + 1:]
            if any(all(child[i] == stone for i in line) for line in through[cell]):
                scores[action] = empties
            elif empties == 1:
                scores[action] = 0
            else:
                scores[action] = -score(child, -stone)
        return scores

    @functools.cache
    def score(board, stone):
        return max(move_scores(board, stone).values())

    return move_scores


def reference_scores(game: games.Game, state) -> dict[int, int]:
    """{action: minimax score} for the player to move in a host state."""
    c = game.config
    board = tuple(int(x) for x in np.asarray(state.board))
    return _reference(c.rows, c.cols, c.k, c.gravity)(board, 1 if int(state.player) == 0 else -1)


def stack(game: games.Game, positions: list[str]):
    """Host positions stacked into one batch (leading axis)."""
    states = [game.from_moves(p) for p in positions]
    return jax.tree.map(lambda *xs: jnp.stack(xs), *states)


# ---- tactics -------------------------------------------------------------------------------
# (game, position, best action (0-based), what it shows)
TACTICS = {
    "tictactoe": [
        ("1425", 2, "win"),  # X: 1 2, O: 4 5; X completes the top row at 3 (O threatens 6)
        ("152", 2, "block"),  # X: 1 2, O: 5; O must take 3
        ("785", 2, "slower loss"),  # X: 7 5 threatens 3; blocking loses later to a fork, all else at once
    ],
    "connect4:rows=4,cols=5,k=3": [
        ("1212", 0, "win"),  # X completes three in column 1
        ("121", 0, "block"),  # O must cap column 1
        ("554332", 0, "slower loss"),  # all lose; column 1 loses two plies later than the rest
    ],
    "connect4": [
        ("141516", 0, "win"),  # X: three in column 1 (O threatens the bottom row too)
        ("14151", 0, "block"),  # O must cap column 1
        # Every move loses; column 4 holds out 8 plies longer than 3, 6, 7 (which lose at once).
        # Minimax scores {3: -12, 4: -4, 6: -12, 7: -12} (columns), found and checked offline.
        ("37753231555751221724135171226", 3, "slower loss"),
    ],
}


@pytest.mark.parametrize("spec", ["tictactoe", "connect4:rows=4,cols=5,k=3"])
def test_tactical_positions_are_what_they_claim(spec: str) -> None:
    game = games.make(spec)
    for moves, best, kind in TACTICS[spec]:
        scores = reference_scores(game, game.from_moves(moves))
        top = max(scores.values())
        assert [a for a, s in scores.items() if s == top] == [best], (moves, scores)
        if kind == "win":
            assert top > 0
        if kind == "slower loss":
            assert top < 0 and min(scores.values()) < top


def search_padded(agent, game: games.Game, positions: list[str], key: jax.Array, size: int):
    """Searches `positions` in batches of exactly `size` (padding with the last one), so every
    call in this file reuses one compiled search per game."""
    outs = []
    for start in range(0, len(positions), size):
        chunk = positions[start:start + size]
        padded = chunk + [chunk[-1]] * (size - len(chunk))
        out = agent.search(stack(game, padded), jax.random.fold_in(key, start))
        count = len(chunk)
        outs.append(jax.tree.map(lambda x: np.asarray(x)[:count], out))  # noqa: B023 (used at once)
    return jax.tree.map(lambda *xs: np.concatenate(xs), *outs)


BATCH = {"tictactoe": 4, "connect4:rows=4,cols=5,k=3": 4, "connect4": 4}
SIMS = {"tictactoe": 300, "connect4:rows=4,cols=5,k=3": 300, "connect4": 1000}


def _check_tactics(spec: str, options: str, kinds: tuple[str, ...]) -> None:
    game = games.make(spec)
    agent = agents.make(f"mcts:sims={SIMS[spec]}{options}", game, seed=0)
    cases = [case for case in TACTICS[spec] if case[2] in kinds]
    out = search_padded(agent, game, [p for p, _, _ in cases], jax.random.key(1), BATCH[spec])
    wrong = [f"{kind} in {moves}: played {a + 1}, expected {best + 1}"
             for (moves, best, kind), a in zip(cases, out.action, strict=True) if a != best]
    assert not wrong, wrong
    # the winning move is worth exactly +1 to the mover
    assert out.q_values[0, cases[0][1]] == pytest.approx(1.0)


@pytest.mark.parametrize("spec", ["tictactoe", "connect4:rows=4,cols=5,k=3"])
def test_mcts_tactics(spec: str) -> None:
    """MCTS (the default agent) takes the win, blocks, and prefers the slower loss."""
    _check_tactics(spec, "", ("win", "block", "slower loss"))


@pytest.mark.slow
def test_mcts_tactics_standard_connect4() -> None:
    _check_tactics("connect4", "", ("win", "block", "slower loss"))


@pytest.mark.slow
@pytest.mark.parametrize("spec", list(TACTICS))
def test_gumbel_mcts_tactics(spec: str) -> None:
    """Gumbel search wins and blocks; with exact values every losing move is worth -1 to it, so
    it has no reason to prefer the slower loss (its root choice is not by visit counts)."""
    _check_tactics(spec, ",policy=gumbel", ("win", "block"))


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["puct", "gumbel"])
def test_az_with_a_random_net_sees_an_immediate_win(policy: str) -> None:
    """Terminal rewards are exact in the tree, so even an untrained net values the win at +1.

    (Blocks are not claimed: with an uninformed prior and value, 200 simulations do not
    always find the opponent's reply to every non-blocking move.)"""
    game = games.make("connect4")
    graphdef, params = init_network(default_config(game), seed=0)
    settings = SearchSettings(num_simulations=200, policy=policy)
    search = compiled_search(game, NetworkEvaluator(game, graphdef), settings)
    out = search(params, stack(game, ["141516"]), jax.random.key(0))
    assert int(out.action[0]) == 0
    assert float(out.q_values[0, 0]) == pytest.approx(1.0)


# ---- masking and signs --------------------------------------------------------------------
def _biased_net(game: games.Game, favourite: int):
    """A random net whose prior puts nearly all mass on `favourite`."""
    graphdef, params = init_network(default_config(game), seed=0)
    bias = params["policy_out"]["bias"]
    bias[...] = bias[...].at[favourite].set(50.0)
    return graphdef, params


@pytest.mark.parametrize("policy", ["puct", "gumbel"])
def test_illegal_moves_are_masked_inside_the_tree(policy: str) -> None:
    """Column 4 is full at the root of one game and fills up inside the tree of the other;
    the net begs for column 4, yet no node ever expands an illegal action."""
    game = games.make("connect4")
    graphdef, params = _biased_net(game, favourite=3)
    evaluate = NetworkEvaluator(game, graphdef)
    states = stack(game, ["444444", "44444"])
    root = make_root(game, evaluate, params, states, jax.random.key(0))
    invalid = ~jax.vmap(game.legal_mask)(states)
    search = mctx.muzero_policy if policy == "puct" else mctx.gumbel_muzero_policy
    out = jax.jit(lambda p, k: search(p, k, root, make_recurrent_fn(game, evaluate), 48,
                                      invalid_actions=invalid))(params, jax.random.key(1))
    tree = out.search_tree
    legal = np.asarray(jax.vmap(jax.vmap(game.legal_mask))(tree.embeddings))  # [B, nodes, A]
    terminal = np.asarray(tree.embeddings.terminal)
    expanded = np.asarray(tree.node_visits) > 0
    children = np.asarray(tree.children_visits)
    check = expanded & ~terminal  # below a finished game nothing counts (discount 0)
    assert np.all(children[check] * ~legal[check] == 0)
    assert np.asarray(out.action)[0] != 3
    # in the second game column 4 has one free cell: it is explored at the root, once only deep
    assert children[1, 0, 3] > 0


def test_search_output_shapes_signs_and_determinism() -> None:
    game = games.make("tictactoe")
    states = stack(game, ["1425", "152", ""])
    evaluate = RolloutEvaluator(game)
    run = jax.jit(functools.partial(run_search, game, evaluate, settings=SearchSettings(64, policy="puct")))
    out = run(None, states, jax.random.key(3))
    again = run(None, states, jax.random.key(3))
    for field in ("action", "visits", "root_value", "prior", "q_values", "action_weights"):
        np.testing.assert_array_equal(np.asarray(getattr(out, field)), np.asarray(getattr(again, field)))
    assert out.visits.shape == (3, 9) and out.root_value.shape == (3,)
    assert np.asarray(out.visits).sum(axis=1).tolist() == [64, 64, 64]
    legal = np.asarray(jax.vmap(game.legal_mask)(states))
    np.testing.assert_allclose(np.asarray(out.prior), legal / legal.sum(axis=1, keepdims=True), rtol=1e-6)
    assert float(out.root_value[0]) > 0.5  # the mover wins at once
    assert np.all(np.asarray(out.visits)[~legal] == 0)


def test_temperature_and_noise_vary_the_choice() -> None:
    """Self-play settings sample: the same key replays, different keys give other openings."""
    game = games.make("tictactoe")
    states = game.init_batch(16)
    settings = SearchSettings(16, policy="gumbel", temperature=1.0, dirichlet_fraction=0.25)
    play = jax.jit(functools.partial(run_search, game, RolloutEvaluator(game), settings=settings))
    first = np.asarray(play(None, states, jax.random.key(0)).action)
    assert len(set(first.tolist())) > 1
    assert np.array_equal(first, np.asarray(play(None, states, jax.random.key(0)).action))
    assert not np.array_equal(first, np.asarray(play(None, states, jax.random.key(1)).action))


def test_a_per_root_gumbel_scale_samples_some_roots_and_not_others() -> None:
    """Self-play's noise cut-off: roots given scale 0 play the same move under every key (the
    noise-free choice of `temperature=0`), roots given scale 1 replay the sampling settings."""
    game = games.make("tictactoe")
    graphdef, params = init_network(default_config(game), seed=0)
    evaluate = NetworkEvaluator(game, graphdef)
    states = game.init_batch(16)

    def search(temperature: float, scale=None):
        return jax.jit(functools.partial(run_search, game, evaluate, gumbel_scale=scale,
                                         settings=SearchSettings(16, policy="gumbel", temperature=temperature)))

    half = jnp.arange(16) < 8  # roots 0-7 sample, 8-15 do not
    mixed = search(1.0, jnp.where(half, 1.0, 0.0))
    greedy = np.asarray(search(0.0)(params, states, jax.random.key(0)).action)
    moves = [np.asarray(mixed(params, states, jax.random.key(k)).action) for k in range(4)]
    sampled = [np.asarray(search(1.0)(params, states, jax.random.key(k)).action) for k in range(4)]
    for k in range(4):
        np.testing.assert_array_equal(moves[k][8:], greedy[8:])
        np.testing.assert_array_equal(moves[k][:8], sampled[k][:8])
    assert len({int(m) for k in range(4) for m in moves[k][:8]}) > 1


def test_decide_reports_what_the_search_saw() -> None:
    game = games.make("tictactoe")
    agent = agents.make("mcts:sims=300", game, seed=0)
    decision = agent.decide(game.from_moves("1425"))
    assert decision.action == 2 and decision.q_values[2] == pytest.approx(1.0)
    taken = [0, 1, 3, 4]
    assert np.all(decision.visits[taken] == 0) and np.all(np.isnan(decision.q_values[taken]))
    assert decision.visits.sum() == 300
    assert np.all(decision.prior[taken] == 0) and decision.prior.sum() == pytest.approx(1.0)
    assert -1 <= decision.value <= 1
    assert decision.policy.sum() == pytest.approx(1.0, abs=1e-5)


# ---- perfect play -------------------------------------------------------------------------
@pytest.mark.slow
def test_mcts_never_loses_tictactoe_against_perfect_play() -> None:
    """From every opening, against a perfect player that tries ALL its best replies.

    MCTS plays O after each of the 9 first moves, and X from the empty board and after each
    forced first move; the perfect side branches over every optimal move, so the tree of
    games is covered (up to transpositions), and each round of MCTS moves is one batched
    search (batches of 128; minutes on a loaded 2-core machine, hence slow). 1000 simulations:
    with fewer, random-rollout values miss some forks four plies deep for some seeds
    (measured over three seeds: 300 sims lost 4-7 lines, 400 lost 5, 600 lost 0 or 3).
    """
    game = games.make("tictactoe")
    agent = agents.make("mcts:sims=1000", game, seed=0)
    # (moves so far, MCTS plays X?) for positions where MCTS is to move
    frontier = [(str(a + 1), False) for a in range(9)] + [("", True)]
    frontier += [(str(a + 1) + str(b + 1), True) for a in range(9) for b in _best(game, str(a + 1))]
    finished = 0
    rounds = 0
    while frontier:
        rounds += 1
        # transpositions: one search per distinct board (about half the lines, 5 batches in all)
        frontier = list({game.from_moves(m).board.tobytes(): (m, x) for m, x in frontier}.values())
        out = search_padded(agent, game, [m for m, _ in frontier], jax.random.key(rounds), 128)
        following = []
        for (moves, mcts_is_x), action in zip(frontier, out.action, strict=True):
            moves += str(int(action) + 1)
            state = game.from_moves(moves)
            if bool(state.terminal):
                assert game.winner(state) in (None, 0 if mcts_is_x else 1), moves
                finished += 1
                continue
            for reply in _best(game, moves):
                after = game.from_moves(moves + str(reply + 1))
                if bool(after.terminal):
                    assert game.winner(after) is None, f"MCTS lost: {moves + str(reply + 1)}"
                    finished += 1
                else:
                    following.append((moves + str(reply + 1), mcts_is_x))
        frontier = following
    assert finished >= 19


def _best(game: games.Game, moves: str) -> list[int]:
    scores = reference_scores(game, game.from_moves(moves))
    top = max(scores.values())
    return [a for a, s in scores.items() if s == top]


@pytest.mark.parametrize("spec", ["mcts:sims=64,policy=gumbel", "mcts:sims=64"])
def test_decision_value_is_the_chosen_moves_q(spec: str) -> None:
    """The window's win bar shows `Decision.value`: the chosen move's q, not the root mean,
    which Gumbel's visits to moves it will not play drag down."""
    game = games.make("tictactoe")
    decision = agents.make(spec, game, seed=0).decide(game.from_moves("1425"))
    assert decision.action == 2  # cell 3 completes 1-2-3
    assert decision.value == pytest.approx(decision.q_values[decision.action]) and decision.value > 0.99


def test_importing_the_search_patches_nothing_until_a_search_is_built() -> None:
    """The batched backward is installed by run_search (an explicit call), not by an import."""
    import subprocess
    import sys

    code = ("import mctx._src.search as mctx_search, agents.search, agents.mcts_agent, agents.alphazero.trainer\n"
            "from agents.mctx_backward import batched_backward\n"
            "assert mctx_search.backward is not batched_backward\n"
            "import agents, games\n"
            "game = games.make('tictactoe')\n"
            "agents.make('mcts:sims=4', game).select_move(game.init())\n"
            "assert mctx_search.backward is batched_backward\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)


@pytest.mark.parametrize("policy", ["puct", "gumbel"])
def test_batched_backward_gives_bit_identical_searches(policy: str) -> None:
    """agents/mctx_backward.py replaces mctx's vmapped backward for speed only: every output of
    a search over games of different depths must be exactly what mctx's own version gives."""
    from agents import mctx_backward

    game = games.make("connect4")
    states = stack(game, ["", "4453", "44444", "1234567", "33", "7654321"])

    def search():
        run = jax.jit(functools.partial(run_search, game, RolloutEvaluator(game, 1),
                                        settings=SearchSettings(100, policy=policy)))
        return jax.device_get(run(None, states, jax.random.key(1)))

    assert mctx_backward.install()
    with mctx_backward.original():  # run_search installs the batched version, except in here
        assert not mctx_backward.install()
        original = search()
    assert mctx_backward.install()
    patched = search()
    for field in ("action", "visits", "root_value", "q_values", "action_weights"):
        np.testing.assert_array_equal(np.asarray(getattr(original, field)), np.asarray(getattr(patched, field)))
