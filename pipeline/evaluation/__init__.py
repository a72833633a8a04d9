"""Offline evaluations behind `wirestream eval KIND`: each module has `main(argv) -> int`."""


def prf(right: int, predicted: int, gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from the right, predicted and gold counts (0.0 where undefined)."""
    p = right / predicted if predicted else 0.0
    r = right / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)
