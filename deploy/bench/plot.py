"""build/bench.png: throughput bars (same stories, one run) and the latency CDF at half load."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


def plot(f: Mapping[str, Any], path: Path) -> bool:
    """Write the PNG; False when matplotlib is not installed (`pip install -e '.[bench]'`)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    off = f["offline"]
    labels = ["naive\nbaseline", "offline\nchain"] + [
        f"end to end\n{r['workers']} worker(s)" for r in f["e2e"]
    ]
    values = [off["naive"]["stories_per_second"], off["chain"]["stories_per_second"]] + [
        r["max"]["stories_per_second"] for r in f["e2e"]
    ]
    colours = ["#9e9e9e", "#1f77b4", "#2ca02c", "#17becf"][: len(values)]
    fig, (bars, cdf) = plt.subplots(1, 2, figsize=(12, 4.5))
    drawn = bars.bar(labels, values, color=colours)
    bars.bar_label(drawn, fmt="%.1f")
    bars.set_ylabel("stories/s")
    bars.set_title(f"throughput, {f['corpus']['stories']} stories of 600-1,000 words")
    for r in f["e2e"]:
        lat = r["half_load"]["latencies"]
        if lat:
            ys = [(i + 1) / len(lat) for i in range(len(lat))]
            cdf.step(
                lat,
                ys,
                where="post",
                label=f"{r['workers']} worker(s) at {r['half_load']['offered_per_second']:.1f}/s",
            )
    cdf.axvline(2.0, color="#d62728", linestyle="--", linewidth=1, label="p99 target (2 s)")
    cdf.axhline(0.99, color="#999999", linestyle=":", linewidth=1)
    cdf.set_xlabel("publish to output (s)")
    cdf.set_ylabel("fraction of stories")
    cdf.set_ylim(0, 1.01)
    cdf.set_title("latency at half the maximum load")
    cdf.legend(loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
