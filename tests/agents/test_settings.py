"""Settings: the one reader of the environment."""

from __future__ import annotations

import pytest

from agents.settings import Settings, SettingsError
from agents.topics import TopicNames
from pipeline.nlp import ModelRegistry, specs_for


def test_defaults_follow_the_contract() -> None:
    s = Settings.from_env({})
    assert s.broker == "127.0.0.1:9092"
    assert s.topic_prefix == "wire"
    assert s.web_port == 6066 and s.web_host == "127.0.0.1"
    assert s.processing_guarantee == "at_least_once"
    assert s.app_id == "wirestream-wire"
    # pipeline.sizes: topics of 8 MiB, records up to 8 MiB less 1 KiB, bodies up to a quarter of that
    assert (s.max_message_bytes, s.max_raw_bytes) == (8 * 1024 * 1024, 32 * 1024 * 1024)
    assert s.record_limit == 8 * 1024 * 1024 - 1024
    assert s.pipeline.max_body_bytes == (8 * 1024 * 1024 - 1024) // 4 == 2_096_896


def test_body_limit_follows_the_message_size_unless_set() -> None:
    small = Settings.from_env({"WIRESTREAM_MAX_MESSAGE_BYTES": str(1024 * 1024)})
    assert small.pipeline.max_body_bytes == (1024 * 1024 - 1024) // 4
    assert small.max_raw_bytes == 32 * 1024 * 1024  # the raw topic keeps taking oversized stories
    both = Settings.from_env(
        {"WIRESTREAM_MAX_MESSAGE_BYTES": "1048576", "WIRESTREAM_MAX_BODY_BYTES": "900000"}
    )
    assert both.pipeline.max_body_bytes == 900_000
    with pytest.raises(SettingsError, match="WIRESTREAM_MAX_MESSAGE_BYTES"):
        Settings.from_env({"WIRESTREAM_MAX_MESSAGE_BYTES": "1000"})  # a dead letter would not fit
    with pytest.raises(SettingsError, match="WIRESTREAM_MAX_RAW_BYTES"):
        Settings.from_env({"WIRESTREAM_MAX_MESSAGE_BYTES": "4194304", "WIRESTREAM_MAX_RAW_BYTES": "1048576"})


def test_prefix_drives_topics_and_app_id() -> None:
    s = Settings.from_env({"WIRESTREAM_TOPIC_PREFIX": "desk2", "WIRESTREAM_BROKER": "a:1,b:2"})
    names = TopicNames(s.topic_prefix)
    assert (names.raw, names.enriched, names.duplicates, names.deadletter) == (
        "desk2.raw",
        "desk2.enriched",
        "desk2.duplicates",
        "desk2.deadletter",
    )
    assert names.stage_dedup.startswith("desk2.stage.")
    assert s.app_id == "wirestream-desk2" != Settings.from_env({}).app_id
    assert s.bootstrap_servers == ["a:1", "b:2"]
    assert s.broker_url == "kafka://a:1;kafka://b:2"


def test_tunables_are_read() -> None:
    s = Settings.from_env(
        {
            "WIRESTREAM_WEB_PORT": "7001",
            "WIRESTREAM_PARTITIONS": "6",
            "WIRESTREAM_PROCESSING_GUARANTEE": "exactly_once",
            "WIRESTREAM_MODEL_EN": "en_core_web_md, en_core_web_sm",
            "WIRESTREAM_DEDUP_HORIZON_HOURS": "1",
            "WIRESTREAM_MAX_BODY_BYTES": "1000",
            "WIRESTREAM_SECURITY_PROTOCOL": "sasl_ssl",
            "WIRESTREAM_SASL_MECHANISM": "SCRAM-SHA-512",
            "WIRESTREAM_LANGUAGE_LOW_ACCURACY": "true",
        }
    )
    assert s.web_port == 7001 and s.partitions == 6 and s.processing_guarantee == "exactly_once"
    assert s.pipeline.models.models["en"] == ("en_core_web_md", "en_core_web_sm")
    assert specs_for("fr", s.pipeline.models)[0].startswith("fr_core_news")  # untouched: the data's choice
    assert s.pipeline.dedup.horizon_seconds == 3600
    assert s.pipeline.max_body_bytes == 1000
    assert s.pipeline.language.low_accuracy and not Settings.from_env({}).pipeline.language.low_accuracy
    assert s.security.protocol == "SASL_SSL" and s.security.sasl_mechanism == "SCRAM-SHA-512"


@pytest.mark.parametrize(
    "env",
    [
        {"WIRESTREAM_WEB_PORT": "web"},
        {"WIRESTREAM_WEB_PORT": "70000"},
        {"WIRESTREAM_PARTITIONS": "0"},
        {"WIRESTREAM_PROCESSING_GUARANTEE": "maybe_once"},
        {"WIRESTREAM_TOPIC_PREFIX": "has space"},
        {"WIRESTREAM_SECURITY_PROTOCOL": "CARRIER_PIGEON"},
        {"WIRESTREAM_LANGUAGE_LOW_ACCURACY": "sometimes"},
    ],
)
def test_bad_values_are_refused_with_the_variable_named(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match=next(iter(env))):
        Settings.from_env(env)


def test_topic_resolution() -> None:
    names = TopicNames("wire")
    assert names.resolve("enriched") == "wire.enriched"
    assert names.resolve("other.topic") == "other.topic"


def test_broker_lists_may_have_spaces_and_an_empty_broker_is_the_default() -> None:
    """CONTRACT.md: broker address from WIRESTREAM_BROKER (default 127.0.0.1:9092), for the worker (Faust's
    URL) and the kafka-python commands alike."""
    s = Settings.from_env({"WIRESTREAM_BROKER": "kafka-1:9092, kafka-2:9092 "})
    assert s.bootstrap_servers == ["kafka-1:9092", "kafka-2:9092"]
    assert s.broker_url == "kafka://kafka-1:9092;kafka://kafka-2:9092"
    empty = Settings.from_env({"WIRESTREAM_BROKER": ""})
    assert empty.broker == "127.0.0.1:9092" and empty.broker_url == "kafka://127.0.0.1:9092"


def test_corenlp_location_and_start_command() -> None:
    default = Settings.from_env({}).pipeline.models
    assert default.corenlp_url == "http://127.0.0.1:9000/"
    assert default.corenlp_start[-1] == "start"
    assert default.corenlp_start[0].endswith("deploy/corenlp/corenlp.sh")
    moved = Settings.from_env({"WIRESTREAM_CORENLP_PORT": "9100", "WIRESTREAM_MODEL_IT": "corenlp:italian"})
    assert moved.pipeline.models.corenlp_url == "http://127.0.0.1:9100/"
    assert specs_for("it", moved.pipeline.models) == ("corenlp:italian",)
    off = Settings.from_env({"WIRESTREAM_CORENLP_URL": "off", "WIRESTREAM_CORENLP_START": "off"})
    assert off.pipeline.models.corenlp_url == "" and off.pipeline.models.corenlp_start == ()
    assert ModelRegistry(off.pipeline.models).resolve("de") is None  # German then has no model
    assert ModelRegistry(off.pipeline.models).resolve("es") == "es_core_news_sm"  # Spanish falls back
