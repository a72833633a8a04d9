"""Prometheus metrics of the stages, created against an injectable registry."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
E2E_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0)


@dataclass(frozen=True, slots=True)
class StageMetrics:
    stories: Counter
    failures: Counter
    latency: Histogram
    end_to_end: Histogram
    dedup: Counter
    dead_letters: Counter
    languages: Counter
    model_load: Gauge
    lag: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry) -> StageMetrics:
        return cls(
            stories=Counter(
                "wirestream_stage_stories", "Stories a stage processed", ["stage"], registry=registry
            ),
            failures=Counter(
                "wirestream_stage_failures", "Stories a stage could not process", ["stage"], registry=registry
            ),
            latency=Histogram(
                "wirestream_stage_latency_seconds",
                "Time a stage spent per story",
                ["stage"],
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
            end_to_end=Histogram(
                "wirestream_end_to_end_latency_seconds",
                "From the raw message's Kafka timestamp to the enriched record's publish",
                ["topic"],
                buckets=E2E_BUCKETS,
                registry=registry,
            ),
            dedup=Counter(
                "wirestream_dedup_outcomes", "Dedup outcomes by status", ["status"], registry=registry
            ),
            dead_letters=Counter(
                "wirestream_dead_letters", "Dead letters by reason", ["reason", "stage"], registry=registry
            ),
            languages=Counter("wirestream_languages", "Languages detected", ["language"], registry=registry),
            model_load=Gauge(
                "wirestream_model_load_seconds",
                "Time to load a language's spaCy model",
                ["language", "model"],
                registry=registry,
            ),
            lag=Gauge(
                "wirestream_consumer_lag_messages",
                "Messages in an assigned partition not yet processed (end offset minus committed offset)",
                ["topic", "partition"],
                registry=registry,
            ),
        )
