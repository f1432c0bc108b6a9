"""`tournament --resume` on hand-damaged files: refused up front, one line naming the file and
line, exit 2, every file left as it was (and no game played first)."""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arena.cli import main
from arena.tournament import TournamentError, TournamentRun

LINE = 2  # the damaged line of games.jsonl (line 1 stays intact)


@functools.cache
def _played(root: str) -> Path:
    """A tic-tac-toe tournament of 8 games of which only the first 4 are on disk (unfinished)."""
    folder = Path(root) / "played"
    code = main(["tournament", "--game", "tictactoe", "--agents", "random", "solver:depth=1", "--games", "8",
                 "--concurrency", "4", "--quiet", "--out", str(folder)])
    assert code == 0
    games = folder / "games.jsonl"
    games.write_text("".join(games.read_text().splitlines(keepends=True)[:4]))
    (folder / "state.json").write_text(json.dumps({"version": 1, "snapshot": None}))
    return folder


@pytest.fixture(scope="module")
def played(tmp_path_factory) -> Path:
    return _played(str(tmp_path_factory.mktemp("resume")))


def damaged_copy(played: Path, where: Path, line: bytes) -> Path:
    folder = where / "damaged"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(played, folder)
    path = folder / "games.jsonl"
    lines = path.read_bytes().split(b"\n")
    lines[LINE - 1] = line
    path.write_bytes(b"\n".join(lines))
    return folder


def original_line(played: Path) -> dict:
    return json.loads((played / "games.jsonl").read_text().splitlines()[LINE - 1])


def with_field(played: Path, **changes) -> bytes:
    data = original_line(played)
    data.update(changes)
    return json.dumps(data).encode()


def assert_refused(capsys, folder: Path, *words: str) -> None:
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    code = main(["tournament", "--resume", str(folder)])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert len(err.strip().splitlines()) == 1 and err.startswith("arena tournament: error: ")
    assert f"games.jsonl line {LINE}" in err and str(folder) in err and "Traceback" not in err
    for word in words:
        assert word in err
    assert "game=" not in out  # refused before any game was played
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_the_undamaged_copy_resumes_and_plays_the_rest(capsys, played, tmp_path):
    folder = damaged_copy(played, tmp_path, json.dumps(original_line(played)).encode())
    code = main(["tournament", "--resume", str(folder), "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "4/8 games already played" in out and "complete: 8/8" in out


@pytest.mark.parametrize("line, words", [
    (b"\x00\xff\xfe binary junk \x80\x81", ["not UTF-8"]),
    (b'{"index": 1, "pair"', ["corrupt"]),
    (b"[1, 2, 3]", ["JSON object"]),
    (b'"a string"', ["JSON object"]),
])
def test_junk_lines(capsys, played, tmp_path, line, words):
    assert_refused(capsys, damaged_copy(played, tmp_path, line), *words)


@pytest.mark.parametrize("index", ["3", 1.5, None, True, -1, 99, [1]])
def test_an_index_that_is_not_a_scheduled_game(capsys, played, tmp_path, index):
    assert_refused(capsys, damaged_copy(played, tmp_path, with_field(played, index=index)), "corrupt")


@pytest.mark.parametrize("winner", [2, -1, 5, 1.0, "1", True, [0]])
def test_a_winner_out_of_range(capsys, played, tmp_path, winner):
    """Used to crash only after the remaining games were played."""
    assert_refused(capsys, damaged_copy(played, tmp_path, with_field(played, winner=winner)), "winner")


@pytest.mark.parametrize("changes, word", [
    ({"players": ["random", "someone"]}, "scheduled as"),
    ({"players": "random"}, "players"),
    ({"result": "1-0", "winner": 1}, "result"),
    ({"plies": 99}, "plies"),
    ({"moves": "99"}, "corrupt"),
    ({"opening": "1"}, "opening"),
    ({"times_ms": ["fast"]}, "times_ms"),
    ({"judged": {"moves": [1]}}, "judged"),
    ({"first_mistake": {"ply": 1, "player": 0, "agent": "nobody", "before": "win", "after": "draw"}},
     "first_mistake"),
])
def test_fields_of_the_wrong_kind(capsys, played, tmp_path, changes, word):
    assert_refused(capsys, damaged_copy(played, tmp_path, with_field(played, **changes)), word)


def test_a_missing_field(capsys, played, tmp_path):
    data = original_line(played)
    del data["reason"]
    assert_refused(capsys, damaged_copy(played, tmp_path, json.dumps(data).encode()), "missing")


# ---- property-style: any damage to any field, any junk line, is refused by the loader ----------
FIELDS = ["index", "pair", "players", "opening", "moves", "result", "winner", "reason", "plies", "times_ms",
          "judged", "first_mistake"]
JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                                        max_size=3),
                           max_leaves=6)


def _loads_or_refuses(folder: Path) -> bool:
    """True when resume loads the folder; False when it refuses it with one named line."""
    try:
        TournamentRun.resume(folder)
    except TournamentError as err:
        assert f"games.jsonl line {LINE}" in str(err) and "\n" not in str(err)
        return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(FIELDS), value=JSON_VALUES)
def test_any_bad_value_of_any_field_is_refused_by_name(played, tmp_path, field, value):
    data = original_line(played)
    if data[field] == value and type(data[field]) is type(value):
        return  # not damage
    data[field] = value
    folder = damaged_copy(played, tmp_path, json.dumps(data).encode())
    if _loads_or_refuses(folder):
        # accepted: then it must be a value that fits the record (e.g. another valid reason text)
        assert field in ("reason", "times_ms", "judged", "first_mistake")
        record = TournamentRun.resume(folder).records[data["index"]]
        assert getattr(record, field) == value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=st.binary(min_size=1, max_size=40).filter(lambda b: b"\n" not in b and b.strip() != b""))
def test_any_junk_line_is_refused(played, tmp_path, junk):
    assert not _loads_or_refuses(damaged_copy(played, tmp_path, junk))


@pytest.mark.parametrize("kind", ["not in the wave", "illegal move", "no such wave"])
def test_a_damaged_state_file_is_refused_before_playing(capsys, played, tmp_path, kind):
    folder = damaged_copy(played, tmp_path, json.dumps(original_line(played)).encode())
    openings = json.loads((folder / "config.json").read_text())["openings"]
    opening = openings[2 % len(openings)]  # game 4 (wave 1) is the first game of pair 2
    snapshot = {
        "not in the wave": {"wave": 1, "step": 1, "running": {"999": {"moves": opening, "times_ms": []}}},
        "illegal move": {"wave": 1, "step": 1, "running": {"4": {"moves": opening + opening[-1], "times_ms": [1]}}},
        "no such wave": {"wave": 7, "step": 0, "running": {}},
    }[kind]
    (folder / "state.json").write_text(json.dumps({"version": 1, "snapshot": snapshot}))
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    code = main(["tournament", "--resume", str(folder)])
    out, err = capsys.readouterr()
    assert code == 2 and "state.json is corrupt" in err and len(err.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
