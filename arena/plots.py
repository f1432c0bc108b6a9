"""PNG charts of tournament results (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def save_figure(fig, path: str | Path, *, dpi: float | None = None) -> Path:
    """Writes a matplotlib figure as PNG atomically (rendered in memory, then the one atomic
    writer, `agents.files`) and closes it; every chart of the arena is saved through here."""
    import io

    import matplotlib.pyplot as plt

    from agents.files import write_bytes_atomic

    path = Path(path)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    write_bytes_atomic(path, buffer.getvalue())
    return path


def plot_ratings(results: Mapping, path: str | Path) -> Path:
    """Ratings with 95% error bars, best at the top; one-sided bounds drawn as arrows."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    agents = sorted(results["ratings"]["agents"], key=lambda a: a["elo"]["value"])
    fig, ax = plt.subplots(figsize=(7, 0.6 * len(agents) + 1.5), dpi=120)
    for y, agent in enumerate(agents):
        e = agent["elo"]
        if e["bound"]:
            direction = 1 if e["bound"] == ">=" else -1
            ax.annotate("", xy=(e["value"] + direction * 80, y), xytext=(e["value"], y),
                        arrowprops={"arrowstyle": "->", "color": "tab:red"})
            ax.plot([e["value"]], [y], "|", color="tab:red", markersize=14)
        else:
            ax.errorbar([e["value"]], [y], xerr=[[e["error"]], [e["error"]]], fmt="o", capsize=4, color="tab:blue")
    ax.set_yticks(range(len(agents)), [a["name"] for a in agents])
    ax.axvline(0, color="0.8", lw=1, zorder=0)
    ax.set_xlabel("Elo (mean 0), 95% interval; arrows: one-sided bounds")
    ax.set_title(f"{results['game']}: {results['games_played']} games")
    fig.tight_layout()
    return save_figure(fig, path)
