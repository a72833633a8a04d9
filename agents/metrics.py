"""Prometheus metrics of the stages, created against an injectable registry."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

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
    model_events: Counter
    lag: Gauge
    end_offset: Gauge
    route_matches: Counter
    alerts: Counter
    documents: Counter
    kills: Counter
    embargo_held: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry) -> StageMetrics:
        return cls(**_stage_series(registry), **_feature_series(registry))

    def prime(self, stages: Iterable[str]) -> None:
        """Export zeros for the running stages: `rate()` then reads 0, not "no data", before a first story."""
        for stage in stages:
            self.stories.labels(stage)
            self.failures.labels(stage)
            self.latency.labels(stage)

    def prime_routes(self, routes: Iterable[tuple[str, bool]]) -> None:
        """Zeros for every route (name, alert) of the rules file, so a quiet desk shows 0, not no data."""
        for name, alert in routes:
            self.route_matches.labels(name)
            if alert:
                self.alerts.labels(name)


class Series:
    """Children of labelled metrics (`metric.labels(*labels)`), each looked up once: prometheus_client's
    `labels` checks its arguments and takes a lock at each call, and the dedup agent counts three series
    per story. Not for series that `remove` ends (lag, end offsets): a removed child would stay here."""

    def __init__(self) -> None:
        self._found: dict[tuple[int, tuple[str, ...]], Any] = {}

    def __call__(self, metric: Counter | Gauge | Histogram, *labels: str) -> Any:
        key = (id(metric), labels)
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = metric.labels(*labels)
        return found


class FaustSeconds(Collector):
    """Faust's sensor metrics with Prometheus naming: its latency histograms are observed in milliseconds
    (one is even called `*_ms`), so they are exported here in seconds, as `<name>_seconds`."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        for family in self.source.collect():
            if family.type != "histogram":
                yield family
                continue
            name = family.name.removesuffix("_ms") + "_seconds"
            out = Metric(name, family.documentation.replace(" in ms", ""), "histogram")
            for s in family.samples:
                labels, value = dict(s.labels), s.value
                if s.name.endswith("_bucket"):
                    labels["le"] = floatToGoString(float(labels["le"]) / 1000)
                elif s.name.endswith("_sum"):
                    value /= 1000
                out.add_sample(name + s.name[len(family.name) :], labels, value, s.timestamp, s.exemplar)
            yield out


def install_faust_sensor(app: Any, registry: CollectorRegistry, name_prefix: str = "faust") -> None:
    """Faust's own Prometheus sensor, exported through `FaustSeconds` into `registry`, which `/metrics`
    serves (what `faust.sensors.prometheus.setup_prometheus_sensors` does, with conventional names)."""
    from faust.sensors.prometheus import FaustMetrics, PrometheusMonitor

    source = CollectorRegistry()
    app.monitor = _cached_labels(PrometheusMonitor)(metrics=FaustMetrics.create(source, name_prefix))
    registry.register(FaustSeconds(source))

    @app.page("/metrics")
    async def metrics_page(self: Any, request: Any) -> Any:
        from aiohttp.web import Response

        return Response(body=generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST})


def _cached_labels(base: type) -> type:
    """Faust's Prometheus monitor, whose per-message hooks look each labelled series up once.

    Faust (0.15.3) calls `labels(topic=...)` in every message's, event's, send's and table write's hook,
    and names the stream's series with a regular expression per event: four lookups per hand-over, 2% of
    a dedup worker's CPU. The series and their values are Faust's; only the lookups are kept.
    """
    from faust.sensors.monitor import Monitor

    class CachedLabelsMonitor(base):  # type: ignore[misc, valid-type]
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._children: dict[tuple[int, tuple[Any, ...]], Any] = {}
            self._stream_series: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()

        def _child(self, metric: Any, *values: Any) -> Any:
            key = (id(metric), values)
            found = self._children.get(key)
            if found is None:
                found = self._children[key] = metric.labels(*values)
            return found

        def on_message_in(self, tp: Any, offset: int, message: Any) -> None:
            Monitor.on_message_in(self, tp, offset, message)
            metrics = self._metrics
            metrics.messages_received.inc()
            metrics.active_messages.inc()
            self._child(metrics.messages_received_per_topics, tp.topic).inc()
            self._child(metrics.messages_received_per_topics_partition, tp.topic, tp.partition).set(offset)

        def on_stream_event_in(self, tp: Any, offset: int, stream: Any, event: Any) -> Any:
            state = Monitor.on_stream_event_in(self, tp, offset, stream, event)
            metrics = self._metrics
            metrics.total_events.inc()
            metrics.total_active_events.inc()
            series = self._stream_series.get(stream)
            if series is None:
                series = self._stream_series[stream] = f"stream.{self._stream_label(stream)}.events"
            self._child(metrics.total_events_per_stream, series).inc()
            return state

        def on_table_set(self, table: Any, key: Any, value: Any) -> None:
            Monitor.on_table_set(self, table, key, value)
            self._child(self._metrics.table_operations, f"table.{table.name}", self.KEYS_UPDATED).inc()

        def on_send_initiated(self, producer: Any, topic: str, message: Any, *sizes: int) -> Any:
            self._child(self._metrics.topic_messages_sent, f"topic.{topic}").inc()
            return Monitor.on_send_initiated(self, producer, topic, message, *sizes)

    return CachedLabelsMonitor


def _stage_series(registry: CollectorRegistry) -> dict[str, Any]:
    """Throughput, latency, failures, dedup, languages, models and lag: what every stage reports."""
    return dict(
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
        dedup=Counter("wirestream_dedup_outcomes", "Dedup outcomes by status", ["status"], registry=registry),
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
        model_events=Counter(
            "wirestream_model_backend_events",
            "NER backend trouble: retry (a request failed), restart (the server was started again), "
            "unavailable (retries spent: the batch's stories were dead-lettered model_unavailable)",
            ["backend", "language", "event"],
            registry=registry,
        ),
        lag=Gauge(
            "wirestream_consumer_lag_messages",
            "Messages in an assigned partition not yet processed (end offset minus committed offset)",
            ["topic", "partition"],
            registry=registry,
        ),
        end_offset=Gauge(
            "wirestream_topic_end_offset",
            "End offset (highwater) of an assigned input partition, asked of the broker: input growth",
            ["topic", "partition"],
            registry=registry,
        ),
    )


def _feature_series(registry: CollectorRegistry) -> dict[str, Any]:
    """Desk routes, input formats, kills and embargoes."""
    return dict(
        route_matches=Counter(
            "wirestream_route_matches",
            "Records a desk route matched (published to its topic)",
            ["route"],
            registry=registry,
        ),
        alerts=Counter(
            "wirestream_route_alerts",
            "Alerts written to the alerts topic, by the route marked alert that made them",
            ["route"],
            registry=registry,
        ),
        documents=Counter(
            "wirestream_stories_by_format",
            "Stories read, by input format (json: our raw story; nitf, newsml-g2, ...)",
            ["format"],
            registry=registry,
        ),
        kills=Counter(
            "wirestream_kills",
            "Kills (pubstatus canceled) published: ids withdrawn by their provider",
            ["format"],
            registry=registry,
        ),
        embargo_held=Gauge(
            "wirestream_embargo_held",
            "Records held until their embargo (WIRESTREAM_EMBARGO=hold) in this worker's partitions",
            ["target"],
            registry=registry,
        ),
    )
