"""`arena play --screenshot`: one frame rendered off-screen to a valid PNG of the asked size."""

from __future__ import annotations

import pygame

from arena.cli import main


def test_screenshot_writes_a_png_of_the_asked_size(tmp_path, capsys):
    path = tmp_path / "ttt.png"
    code = main(["play", "--game", "tictactoe", "--opponent", "random", "--position", "159",
                 "--overlay", "winbar", "--overlay", "solver", "--size", "640x480", "--screenshot", str(path)])
    assert code == 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = pygame.image.load(str(path))
    assert image.get_size() == (640, 480)
    assert "saved" in capsys.readouterr().out
    assert not list(tmp_path.glob(".*tmp*"))  # the temp file was renamed, not left behind


def test_connect_four_screenshot_with_overlays(tmp_path):
    path = tmp_path / "c4.png"
    assert main(["play", "--opponent", "random", "--position", "4453", "--overlay", "policy",
                 "--overlay", "visits", "--size", "800x600", "--screenshot", str(path)]) == 0
    assert pygame.image.load(str(path)).get_size() == (800, 600)


def test_bad_input_is_one_line(tmp_path, capsys):
    assert main(["play", "--position", "4444444", "--screenshot", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "move 7" in err and "column 4 is full" in err
    assert main(["play", "--size", "big", "--screenshot", str(tmp_path / "x.png")]) == 2
    assert "--size" in capsys.readouterr().err
    assert main(["play", "--opponent", "nobody", "--screenshot", str(tmp_path / "x.png")]) == 2
    assert "unknown agent" in capsys.readouterr().err
