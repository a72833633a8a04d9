"""One settings object, read from the environment here and nowhere else.

Every variable is documented in docs/configuration.md; `Settings.from_env()` is called by
the CLI, and everything below it receives the object (or the pipeline config built from it).
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.config import (
    DedupConfig,
    LanguageConfig,
    ModelConfig,
    PipelineConfig,
)
from pipeline.embargo import EMBARGO_MODES
from pipeline.sizes import DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_RAW_BYTES, body_limit, record_limit

GUARANTEES = ("at_least_once", "exactly_once")
DEFAULT_ROUTES = Path("deploy") / "routes.yml"  # relative to the working directory (the repository root)
MIN_MESSAGE_BYTES = 128 * 1024  # a dead letter (64 KiB of its input, escaped) must fit whole in a message


class SettingsError(ValueError):
    """An environment variable holds a value the worker cannot use."""


def _int(
    env: Mapping[str, str], name: str, default: int, minimum: int = 0, maximum: int | None = None
) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise SettingsError(f"{name} must be at most {maximum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, got {env.get(name)!r}")


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...] | None:
    raw = env.get(name)
    if not raw:
        return None
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _routes(env: Mapping[str, str]) -> Path | None:
    """WIRESTREAM_ROUTES: a rules file; unset, `deploy/routes.yml` when there is one (a worker run from the
    repository root routes with the shipped rules); empty, no routes. A path that cannot be read is
    refused when the worker starts (`agents.routes.load_router`), naming the file, not here: commands
    that never route must not fail over it."""
    raw = env.get("WIRESTREAM_ROUTES")
    if raw is None:
        return DEFAULT_ROUTES if DEFAULT_ROUTES.is_file() else None
    return Path(raw.strip()) if raw.strip() else None


def environment(**overrides: str) -> dict[str, str]:
    """This process's environment with `overrides`: what a child process (the demo's worker) is given."""
    return {**os.environ, **overrides}


def _ninjs_version(env: Mapping[str, str]) -> int:
    value = env.get("WIRESTREAM_NINJS_VERSION", "3").strip() or "3"
    if value not in ("2", "3"):
        raise SettingsError(f"WIRESTREAM_NINJS_VERSION must be 3 or 2: {value!r}")
    return int(value)


@dataclass(frozen=True, slots=True)
class Security:
    """Kafka client security, shared by the Faust worker and the kafka-python CLI commands."""

    protocol: str = "PLAINTEXT"  # PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL
    sasl_mechanism: str | None = None  # PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512
    sasl_username: str | None = None
    sasl_password: str | None = None
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    broker: str = "127.0.0.1:9092"
    topic_prefix: str = "wire"
    partitions: int = 2
    replication: int = 1  # replication factor of the topics wirestream creates
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    processing_guarantee: str = "at_least_once"
    data_dir: Path = Path("wirestream-data")
    table_store: str = "rocksdb"  # "rocksdb" or "memory" (state then lives only in the changelog)
    batch_size: int = 16
    batch_within: float = 0.5
    log_level: str = "info"
    demo_prefix: str | None = None  # `wirestream demo`'s topic prefix (default: a fresh one per run)
    routes: Path | None = None  # the desk routes' rules file (docs/routes.md); None: no route stage
    embargo: str = "flag"  # "flag": publish embargoed records at once; "hold": keep them until their time
    ninjs_version: int = (
        3  # the IPTC ninjs major version of the <prefix>.ninjs topic (3, or 2 for 2.x readers)
    )
    security: Security = field(default_factory=Security)
    pipeline: PipelineConfig = field(default_factory=PipelineConfig)
    # max.message.bytes of the topics the worker writes, and its producers' max_request_size (pipeline.sizes)
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    max_raw_bytes: int = DEFAULT_MAX_RAW_BYTES  # the same for the input topic (`publish`, `replay`)

    @property
    def record_limit(self) -> int:
        """The largest record (key + value, before compression) the worker sends."""
        return record_limit(self.max_message_bytes)

    @property
    def app_id(self) -> str:
        """The Faust app id (consumer group, changelog topic names) derives from the topic prefix."""
        return f"wirestream-{self.topic_prefix}"

    @property
    def broker_url(self) -> str:
        return ";".join(f"kafka://{host}" for host in self.bootstrap_servers)

    @property
    def bootstrap_servers(self) -> list[str]:
        return [host.strip() for host in self.broker.split(",") if host.strip()]

    def with_prefix(self, prefix: str) -> Settings:
        return replace(self, topic_prefix=prefix)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        prefix = env.get("WIRESTREAM_TOPIC_PREFIX", "wire")
        if not re.fullmatch(r"[A-Za-z0-9._-]+", prefix):
            raise SettingsError(
                f"WIRESTREAM_TOPIC_PREFIX may hold letters, digits, '.', '_' and '-': {prefix!r}"
            )
        guarantee = env.get("WIRESTREAM_PROCESSING_GUARANTEE", "at_least_once")
        if guarantee not in GUARANTEES:
            raise SettingsError(f"WIRESTREAM_PROCESSING_GUARANTEE must be one of {GUARANTEES}: {guarantee!r}")
        embargo = env.get("WIRESTREAM_EMBARGO", "flag").strip().lower() or "flag"
        if embargo not in EMBARGO_MODES:
            raise SettingsError(f"WIRESTREAM_EMBARGO must be one of {EMBARGO_MODES}: {embargo!r}")
        if embargo == "hold" and guarantee == "exactly_once":
            # the release timer sends outside any consumed message's transaction (docs/formats.md)
            raise SettingsError("WIRESTREAM_EMBARGO=hold needs WIRESTREAM_PROCESSING_GUARANTEE=at_least_once")
        store = env.get("WIRESTREAM_TABLE_STORE", "rocksdb")
        if store not in ("rocksdb", "memory"):
            raise SettingsError(f"WIRESTREAM_TABLE_STORE must be rocksdb or memory: {store!r}")

        defaults = PipelineConfig()
        max_message = _int(env, "WIRESTREAM_MAX_MESSAGE_BYTES", DEFAULT_MAX_MESSAGE_BYTES, MIN_MESSAGE_BYTES)
        max_raw = _int(env, "WIRESTREAM_MAX_RAW_BYTES", max(DEFAULT_MAX_RAW_BYTES, max_message), max_message)
        pipeline = _pipeline(env, defaults, max_message)
        security = _security(env)
        return cls(
            broker=env.get("WIRESTREAM_BROKER", "").strip() or "127.0.0.1:9092",  # set but empty: default
            topic_prefix=prefix,
            partitions=_int(env, "WIRESTREAM_PARTITIONS", 2, 1),
            replication=_int(env, "WIRESTREAM_REPLICATION_FACTOR", 1, 1),
            web_host=env.get("WIRESTREAM_WEB_HOST", "127.0.0.1"),
            web_port=_int(env, "WIRESTREAM_WEB_PORT", 6066, 1, 65535),
            processing_guarantee=guarantee,
            data_dir=Path(env.get("WIRESTREAM_DATA_DIR", "wirestream-data")),
            table_store=store,
            batch_size=_int(env, "WIRESTREAM_BATCH_SIZE", 16, 1),
            batch_within=_float(env, "WIRESTREAM_BATCH_WITHIN", 0.5),
            log_level=env.get("WIRESTREAM_LOG_LEVEL", "info").lower(),
            demo_prefix=env.get("WIRESTREAM_DEMO_PREFIX") or None,
            routes=_routes(env),
            embargo=embargo,
            ninjs_version=_ninjs_version(env),
            security=security,
            pipeline=pipeline,
            max_message_bytes=max_message,
            max_raw_bytes=max_raw,
        )


CORENLP_SCRIPT = Path(__file__).resolve().parents[1] / "deploy" / "corenlp" / "corenlp.sh"


def corenlp_url(env: Mapping[str, str]) -> str:
    """WIRESTREAM_CORENLP_URL, default the port of WIRESTREAM_CORENLP_PORT (9000) on this host, as
    deploy/corenlp/corenlp.sh starts it; "off": no CoreNLP, its languages get no entities."""
    port = env.get("WIRESTREAM_CORENLP_PORT", "").strip() or "9000"
    url = env.get("WIRESTREAM_CORENLP_URL", "").strip() or f"http://127.0.0.1:{port}/"
    return "" if url.lower() == "off" else url


def corenlp_start(env: Mapping[str, str]) -> tuple[str, ...]:
    """WIRESTREAM_CORENLP_START: the command a worker runs when the server refuses connections (default
    this checkout's `deploy/corenlp/corenlp.sh start`, idempotent); "off": never start it."""
    start = env.get("WIRESTREAM_CORENLP_START", "").strip()
    if not start:
        return (str(CORENLP_SCRIPT), "start") if CORENLP_SCRIPT.is_file() else ()
    return () if start.lower() == "off" else tuple(shlex.split(start))


def _pipeline(env: Mapping[str, str], defaults: PipelineConfig, max_message: int) -> PipelineConfig:
    """The stages' configuration: body and document limits, languages, NER models, dedup."""
    models = dict(defaults.models.models)
    for key, value in env.items():
        m = re.fullmatch(r"WIRESTREAM_MODEL_([A-Z]{2})", key)
        if m and value.strip():
            models[m.group(1).lower()] = tuple(v.strip() for v in value.split(",") if v.strip())
    languages = _list(env, "WIRESTREAM_LANGUAGES") or defaults.language.languages
    pipeline = replace(
        defaults,
        max_body_bytes=_int(env, "WIRESTREAM_MAX_BODY_BYTES", body_limit(max_message), 1),
        max_document_bytes=_int(env, "WIRESTREAM_MAX_DOCUMENT_BYTES", defaults.max_document_bytes, 1),
        language=replace(
            LanguageConfig(),
            languages=languages,
            low_accuracy=_bool(env, "WIRESTREAM_LANGUAGE_LOW_ACCURACY", LanguageConfig().low_accuracy),
        ),
        models=replace(
            ModelConfig(), models=models, corenlp_url=corenlp_url(env), corenlp_start=corenlp_start(env)
        ),
        dedup=replace(
            DedupConfig(),
            threshold=_float(env, "WIRESTREAM_DEDUP_THRESHOLD", DedupConfig().threshold),
            horizon_seconds=_float(
                env, "WIRESTREAM_DEDUP_HORIZON_HOURS", DedupConfig().horizon_seconds / 3600
            )
            * 3600,
        ),
    )
    return pipeline


def _security(env: Mapping[str, str]) -> Security:
    """TLS and SASL settings, shared by the worker and the CLI."""
    security = Security(
        protocol=env.get("WIRESTREAM_SECURITY_PROTOCOL", "PLAINTEXT").upper(),
        sasl_mechanism=env.get("WIRESTREAM_SASL_MECHANISM") or None,
        sasl_username=env.get("WIRESTREAM_SASL_USERNAME") or None,
        sasl_password=env.get("WIRESTREAM_SASL_PASSWORD") or None,
        ssl_cafile=env.get("WIRESTREAM_SSL_CAFILE") or None,
        ssl_certfile=env.get("WIRESTREAM_SSL_CERTFILE") or None,
        ssl_keyfile=env.get("WIRESTREAM_SSL_KEYFILE") or None,
    )
    if security.protocol not in ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"):
        raise SettingsError(f"WIRESTREAM_SECURITY_PROTOCOL is not a Kafka protocol: {security.protocol!r}")
    return security
