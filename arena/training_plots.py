"""PNG curves of a training run (losses, mistake rates, throughput against wall time)."""

from __future__ import annotations

from pathlib import Path

from agents.alphazero.metrics import MetricsLog
from arena.checks import output_file
from arena.plots import save_figure
from games import SuiteError


def plot_run(run_dir: str | Path, out: str | Path | None = None) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run_dir = Path(run_dir)
    records = MetricsLog(run_dir / "metrics.jsonl").read(strict=True)  # damage: one line, no traceback
    if not records:
        raise SuiteError(f"{run_dir} has no metrics.jsonl records to plot")
    out = output_file(out if out else run_dir / "training.png", "--out")
    minutes = [r["wall_seconds"] / 60 for r in records]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    ax = axes[0]
    for key, label in (("loss", "total"), ("policy_kl", "policy KL"), ("value_loss", "value MSE")):
        ax.plot(minutes, [r.get(key) for r in records], label=label)
    ax.set(title="losses", xlabel="training wall time (min)")
    ax.legend()
    ax = axes[1]
    keys = sorted({k for r in records for k in r if k.startswith("mistakes_") and not k.endswith("_count")})
    for key in keys:
        pts = [(m, r[key]) for m, r in zip(minutes, records, strict=True) if r.get(key) is not None]
        if pts:
            ax.plot(*zip(*pts, strict=True), marker="o", ms=3, label=key[len("mistakes_"):].replace("_", " "))
    ax.set(title="mistake rate vs perfect play", xlabel="training wall time (min)", yscale="symlog")
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_yscale("symlog", linthresh=1e-3)
    if keys:
        ax.legend(fontsize=8)
    ax = axes[2]
    ax.plot(minutes, [r.get("positions_per_second") for r in records])
    ax.set(title="self-play throughput", xlabel="training wall time (min)", ylabel="positions / s")
    fig.suptitle(f"{run_dir.name}: {records[-1].get('positions', 0):,} positions, "
                 f"{records[-1].get('iteration')} iterations")
    fig.tight_layout()
    return save_figure(fig, out, dpi=110)
