"""The study's PNG plots (matplotlib, Agg: no display needed), each written atomically."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from arena.study.cells import FAMILIES

COLOURS = {"alpha-beta": "tab:blue", "mcts": "tab:orange", "az-gumbel": "tab:green", "az-puct": "tab:olive",
           "policy": "tab:purple", "perfect": "black", "random": "tab:gray"}
LABELS = {"alpha-beta": "alpha-beta (solver:depth=N)", "mcts": "MCTS, random rollouts (mcts:sims=N)",
          "az-gumbel": "az, Gumbel (az:sims=N)", "az-puct": "az, PUCT (az:sims=N,policy=puct)",
          "policy": "raw policy network", "perfect": "exact solver, no book", "random": "random"}
AXES = {"examined": "positions examined per move (log; unit per family, see results.json)",
        "latency": "seconds per move, one move at a time (log)"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> Path:
    from arena.plots import save_figure

    return save_figure(fig, path)


def _log_x(ax) -> None:
    """A log x axis labelled at powers of ten only (minor labels crowd the axis)."""
    from matplotlib.ticker import NullFormatter

    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())


def _short(value: float) -> str:
    """1,849,344 -> '1.85M', 4983 -> '4983'."""
    if value >= 1e6:
        return f"{value / 1e6:.2f}M"
    if value >= 1e4:
        return f"{value / 1e3:.0f}k"
    return f"{value:.0f}"


def _rung(name: str) -> str:
    """A short point label: the depth or the simulations."""
    for key in ("depth=", "sims="):
        if key in name:
            return name.split(key, 1)[1].split(",", 1)[0]
    return ""


def _x(cell: Mapping, axis: str) -> float | None:
    value = cell["examined"]["mean"] if axis == "examined" else cell["latency_s"]["mean"]
    return None if value is None else max(float(value), 1e-7)


def plot_mistakes(cells: Sequence[Mapping], buckets: Sequence[str], path: Path, *, axis: str, game: str) -> Path:
    """Mistake rate against compute, one panel per bucket, one line per family (random: a level)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(buckets), figsize=(max(8.0, 5.2 * len(buckets) + 1), 5.0), dpi=110,
                             squeeze=False)
    for ax, bucket in zip(axes[0], buckets, strict=True):
        mine = [c for c in cells if c["bucket"] == bucket]
        # Each panel on its own scale (the end game's rates are a tenth of the opening's); the
        # random level is drawn where it fits and named at the top where it does not.
        # The exact solver's interval (0 of a few dozen) would set the scale alone: it is clipped.
        top = 100 * max([c["interval95"][1] for c in mine if c["family"] not in ("random", "perfect")]
                        + [0.02]) * 1.08
        for fam in FAMILIES:
            points = sorted(((_x(c, axis), c) for c in mine if c["family"] == fam and _x(c, axis) is not None),
                            key=lambda t: t[0])
            if fam == "random":
                for c in (c for c in mine if c["family"] == fam):
                    level = 100 * c["rate"]
                    ax.axhline(min(level, top), color=COLOURS[fam], ls="--", lw=1, label=LABELS[fam])
                    ax.annotate(f"random {level:.0f}%" + (" (off the scale)" if level > top else ""),
                                (0.99, min(level, top)), xycoords=("axes fraction", "data"), ha="right",
                                va="top" if level > top else "bottom", fontsize=7, color=COLOURS[fam])
                continue
            if not points:
                continue
            xs = [x for x, _ in points]
            ys = [100 * c["rate"] for _, c in points]
            err = [[100 * (c["rate"] - c["interval95"][0]) for _, c in points],
                   [100 * (c["interval95"][1] - c["rate"]) for _, c in points]]
            lower_bound = any(c["unfinished"] for _, c in points)
            ax.errorbar(xs, ys, yerr=err, color=COLOURS[fam], marker=">" if lower_bound else "o", ms=4,
                        lw=1.4, capsize=2, label=LABELS[fam] + (" (x: lower bound)" if lower_bound else ""))
            for x, (_, c) in zip(xs, points, strict=True):
                if _rung(c["name"]):
                    ax.annotate(_rung(c["name"]), (x, 100 * c["rate"]), textcoords="offset points", xytext=(3, 3),
                                fontsize=6, color=COLOURS[fam])
        count = max((c["positions"] for c in mine if c["family"] != "perfect"), default=0)
        ax.set_title(f"{game}: {bucket} ({count} positions)")
        _log_x(ax)
        ax.set_xlabel(AXES[axis], fontsize=8)
        ax.set_ylim(-0.02 * top, min(100.0, top))
        ax.grid(True, alpha=0.3)
    axes[0][0].set_ylabel("mistakes (% of positions, 95% interval)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    seen = dict(zip(labels, handles, strict=True))
    fig.legend(seen.values(), seen.keys(), loc="lower center", ncol=min(4, 2 * len(buckets)), fontsize=7,
               frameon=False)
    fig.tight_layout(rect=(0, 0.13 if len(buckets) == 1 else 0.1, 1, 1))
    return _save(fig, path)


def plot_elo(rows: Sequence[Mapping], path: Path, *, game: str) -> Path:
    """Elo (95% interval; one-sided bounds as arrows) against positions examined per move."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=110)
    for fam in FAMILIES:
        line = sorted((max(float(r["examined_mean"]), 0.5), r["elo"]) for r in rows
                      if r["family"] == fam and r["examined_mean"] is not None)
        if len(line) > 1:
            ax.plot(*zip(*line, strict=True), color=COLOURS[fam], lw=0.8, alpha=0.6, label=LABELS[fam])
    for row in rows:
        x = row["examined_mean"]
        if x is None:
            continue
        x = max(float(x), 0.5)
        colour = COLOURS[row["family"]]
        if row["bound"]:
            ax.annotate("", xy=(x, row["elo"] + (60 if row["bound"] == ">=" else -60)), xytext=(x, row["elo"]),
                        arrowprops={"arrowstyle": "->", "color": colour})
            ax.plot([x], [row["elo"]], "_", color=colour, ms=12)
        else:
            ax.errorbar([x], [row["elo"]], yerr=[[row["error"]], [row["error"]]], fmt=">" if
                        row["compute_lower_bound"] else "o", color=colour, capsize=3)
        ax.annotate(row["name"], (x, row["elo"]), textcoords="offset points", xytext=(5, 4), fontsize=7)
    _log_x(ax)
    ax.set_xlabel("positions examined per move, mean over the study's positions (log)")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="lower right")
    ax.set_ylabel("Elo (mean 0), 95% interval")
    ax.set_title(f"{game}: strength in play against compute ({rows[0]['games']} games per agent)")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return _save(fig, path)


def plot_training(rows: Sequence[Mapping], buckets: Sequence[str], path: Path, *, game: str) -> Path:
    """Mistake rate against self-play positions (top) and training wall time (bottom); the
    untrained networks, at zero on both, as dashed levels."""
    plt = _pyplot()
    fig, axes = plt.subplots(2, len(buckets), figsize=(max(8.0, 5.2 * len(buckets) + 1), 7.5), dpi=110, squeeze=False,
                             sharey=True)
    series = sorted({(r["source"], r["agent"]) for r in rows})
    agents = sorted({agent for _, agent in series})
    colour = {agent: f"C{i}" for i, agent in enumerate(agents)}
    style = {"fresh-run": ("-", "o"), "lineage": ("--", "s")}
    for col, bucket in enumerate(buckets):
        for row_axis, (key, label) in enumerate((("selfplay_positions", "self-play positions (log)"),
                                                  ("training_wall_s", "training wall time, s (log)"))):
            ax = axes[row_axis][col]
            for source, agent in series:
                mine = sorted((r for r in rows if r["source"] == source and r["agent"] == agent
                               and r["bucket"] == bucket), key=lambda r: r[key])
                for r in (r for r in mine if r[key] <= 0):
                    ax.axhline(100 * r["rate"], color=colour[agent], ls=":", lw=1)
                trained = [r for r in mine if r[key] > 0]
                if trained:
                    ls, marker = style.get(source, ("-.", "^"))
                    ax.errorbar([r[key] for r in trained], [100 * r["rate"] for r in trained],
                                yerr=[[100 * (r["rate"] - r["ci_low"]) for r in trained],
                                      [100 * (r["ci_high"] - r["rate"]) for r in trained]],
                                color=colour[agent], ls=ls, marker=marker, ms=3, capsize=2,
                                label=f"{agent}, {source}")
            ax.set_xscale("log")  # matplotlib labels minor ticks itself when few decades are shown
            xs = [r[key] for r in rows if r[key] > 0]
            if xs and len(set(xs)) <= 6:  # a few checkpoints: label them
                from matplotlib.ticker import FixedLocator, FuncFormatter

                ax.set_xlim(min(xs) / 1.5, max(xs) * 1.5)
                ax.xaxis.set_major_locator(FixedLocator(sorted(set(xs))))
                ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _short(v)))
            ax.set_xlabel(label)
            ax.grid(True, alpha=0.3)
            if row_axis == 0:
                ax.set_title(f"{game}: {bucket}")
    for row_axis in (0, 1):
        axes[row_axis][0].set_ylabel("mistakes (%)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=8, frameon=False)
    fig.text(0.01, 0.005, "dotted lines: the same agents with the untrained network (zero training), "
             "in each agent's colour", fontsize=7)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return _save(fig, path)
