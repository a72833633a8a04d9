"""The model registry: backends chosen in data, loaded lazily; the CoreNLP server for real (batched
requests, offsets, a server killed mid-stream, a server that stays down -> `model_unavailable`)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

from pipeline.chain import Chain, Prepared
from pipeline.config import ModelConfig, PipelineConfig
from pipeline.corenlp import chunks, utf16_offsets
from pipeline.nlp import CharSpan, ModelRegistry, backend_of, docs_with_spans, specs_for
from pipeline.records import DeadLetter, Dedup, Enriched

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "corenlp" / "corenlp.sh"
SPARE_PORT = 9017  # a server of this test's own, to kill without disturbing the shared one on 9000

GERMAN = [
    "Berlin (dpa) - Bundeskanzler Friedrich Merz hat am Montag den französischen Präsidenten Emmanuel "
    "Macron empfangen. Merz sagte, Deutschland und Frankreich stünden zusammen.",
    "Hamburg (dpa) - Die Reederei Hapag-Lloyd hat ihren Gewinn verdoppelt. Vorstandschef Rolf Habben "
    "Jansen sprach in Hamburg von einem außergewöhnlichen Jahr.",
    "München (dpa) - Der FC Bayern München hat Trainer Vincent Kompany einen neuen Vertrag gegeben.",
]


def start_server(port: int) -> None:
    env = os.environ | {"WIRESTREAM_CORENLP_PORT": str(port)}
    subprocess.run([str(SCRIPT), "start"], check=True, env=env, timeout=600, capture_output=True)


@pytest.fixture(scope="module")
def corenlp() -> str:
    """The shared server (make test starts it; the script is idempotent)."""
    start_server(9000)
    return "http://127.0.0.1:9000/"


# -- choice and laziness ------------------------------------------------------------------------------


def test_specs_name_their_backend() -> None:
    assert backend_of("corenlp:german") == ("corenlp", "german")
    assert backend_of("natasha") == ("natasha", "")
    assert backend_of("es_core_news_sm") == ("spacy", "es_core_news_sm")
    assert specs_for("de", ModelConfig()) == ("corenlp:german",)
    assert specs_for("ru", ModelConfig()) == ("natasha",)
    assert specs_for("es", ModelConfig())[0] == "corenlp:spanish"
    assert specs_for("ar", ModelConfig()) == ()  # no Arabic NER installs here
    assert specs_for("de", ModelConfig(models={"de": ("de_core_news_sm",)})) == ("de_core_news_sm",)


def test_an_english_only_process_loads_nothing_else() -> None:
    code = (
        "import sys; from pipeline.nlp import ModelRegistry; r = ModelRegistry(); r.get('en'); "
        "print(sorted(r.loaded()), 'natasha' in sys.modules, 'pipeline.corenlp' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["['en']", "False", "False"]


def test_arabic_has_no_model_and_its_record_says_so() -> None:
    chain = Chain()
    story = {
        "id": "ar-1",
        "body": "قال وزير الخارجية إن المحادثات ستستأنف الأسبوع المقبل في القاهرة.",
        "language": "ar",
    }
    (record,) = list(chain.run([json.dumps(story, ensure_ascii=False)]))
    assert isinstance(record, Enriched)
    assert record.entities_model is None and record.entities == []
    assert "ar" not in chain.models.loaded()


def test_spans_from_other_backends_become_doc_ents() -> None:
    text = "Сергей Лавров прибыл в Анкару."
    (doc,) = docs_with_spans(spacy.blank("ru"), [text], [[CharSpan(0, 13, "PER"), CharSpan(23, 27, "LOC")]])
    assert [(e.text, e.label_) for e in doc.ents] == [("Сергей Лавров", "PER"), ("Анкару", "LOC")]  # widened


def test_utf16_offsets_map_java_positions() -> None:
    assert utf16_offsets("plain ascii") is None
    index = utf16_offsets("a\U0001f600b")
    assert index == [0, 1, 1, 2, 3]  # b is at Java offset 3, Python index 2
    assert [list(c) for c in chunks(["x" * 40, "y" * 40, "z" * 40], 90)] == [[0, 1], [2]]


# -- natasha --------------------------------------------------------------------------------------------


def test_natasha_tags_russian_people_places_and_organisations() -> None:
    model = ModelRegistry().get("ru")
    assert model is not None and model.name == "natasha"
    (doc,) = model.pipe(["Глава «Газпрома» Алексей Миллер встретился в Пекине с представителями CNPC."])
    found = {(e.text, e.label_) for e in doc.ents}
    assert {("Газпрома", "ORG"), ("Алексей Миллер", "PER"), ("Пекине", "LOC")} <= found


# -- CoreNLP, for real ----------------------------------------------------------------------------------


def test_corenlp_batch_equals_one_story_at_a_time(corenlp: str) -> None:
    model = ModelRegistry(ModelConfig(corenlp_url=corenlp)).get("de")
    assert model is not None and model.name == "corenlp:german"
    batched = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in model.pipe(GERMAN)]
    alone = [[(e.start_char, e.end_char, e.label_) for e in model.pipe([t])[0].ents] for t in GERMAN]
    assert batched == alone
    people = {GERMAN[i][s:e] for i, ents in enumerate(batched) for s, e, label in ents if label == "PER"}
    assert {"Friedrich Merz", "Emmanuel Macron", "Vincent Kompany"} <= people


def test_corenlp_offsets_survive_characters_outside_the_bmp(corenlp: str) -> None:
    model = ModelRegistry(ModelConfig(corenlp_url=corenlp)).get("de")
    assert model is not None
    text = "🚨🚨 Eilmeldung: Außenminister Johann Wadephul reist nach Kiew."
    (doc,) = model.pipe([text])
    assert ("Johann Wadephul", "PER") in {(e.text, e.label_) for e in doc.ents}


def prepared(chain: Chain, i: int, body: str) -> Prepared:
    front = chain.front(json.dumps({"id": f"de-{i}", "body": body, "language": "de"}))
    assert isinstance(front, Prepared)
    result = chain.dedup_or_dead(front)
    assert isinstance(result, Prepared)
    return result


@pytest.fixture()
def spare_server() -> Iterator[Path]:
    start_server(SPARE_PORT)
    yield SCRIPT.parent / "run" / f"server-{SPARE_PORT}.pid"
    env = os.environ | {"WIRESTREAM_CORENLP_PORT": str(SPARE_PORT)}
    subprocess.run([str(SCRIPT), "stop"], env=env, timeout=60, capture_output=True)


def test_a_server_killed_mid_stream_is_restarted_and_no_story_is_lost(spare_server: Path) -> None:
    events: list[tuple[str, str, str]] = []
    start = ("env", f"WIRESTREAM_CORENLP_PORT={SPARE_PORT}", str(SCRIPT), "start")
    config = ModelConfig(
        corenlp_url=f"http://127.0.0.1:{SPARE_PORT}/", corenlp_start=start, corenlp_backoff=0.2
    )
    chain = Chain(
        PipelineConfig(models=config),
        models=ModelRegistry(config, on_event=lambda *e: events.append(e)),
    )
    first = chain.annotate([prepared(chain, i, body) for i, body in enumerate(GERMAN)])
    assert all(isinstance(r, Enriched) and r.entities_model == "corenlp:german" for r in first)
    os.kill(int(spare_server.read_text()), signal.SIGKILL)  # the real server process, mid-stream
    time.sleep(0.5)
    again = [prepared(chain, 10 + i, body + " Noch eine Meldung.") for i, body in enumerate(GERMAN)]
    second = chain.annotate(again)
    assert all(isinstance(r, Enriched) for r in second), second
    names = {e.canonical for r in second if isinstance(r, Enriched) for e in r.entities}
    assert "Friedrich Merz" in names
    assert ("corenlp", "de", "restart") in events


def test_a_server_that_stays_down_dead_letters_model_unavailable_for_replay(spare_server: Path) -> None:
    env = os.environ | {"WIRESTREAM_CORENLP_PORT": str(SPARE_PORT)}
    events: list[tuple[str, str, str]] = []
    config = ModelConfig(
        corenlp_url=f"http://127.0.0.1:{SPARE_PORT}/", corenlp_retries=1, corenlp_backoff=0.1
    )
    chain = Chain(
        PipelineConfig(models=config), models=ModelRegistry(config, on_event=lambda *e: events.append(e))
    )
    assert chain.models.get("de") is not None  # loaded while the server is up
    subprocess.run([str(SCRIPT), "stop"], env=env, timeout=60, check=True, capture_output=True)
    batch = [prepared(chain, 20 + i, body) for i, body in enumerate(GERMAN)]
    letters = chain.annotate(batch)
    assert all(isinstance(d, DeadLetter) and d.error == "model_unavailable" for d in letters)
    assert ("corenlp", "de", "unavailable") in events
    start_server(SPARE_PORT)  # after the fix: the dead letter's raw input is replayed, as `replay` sends it
    letter = letters[0]
    assert isinstance(letter, DeadLetter) and letter.stage == "entities"
    plain = chain.front(letter.raw)
    assert isinstance(plain, Prepared)
    assert chain.deduplicate(plain).dedup == Dedup("duplicate", "de-20", 1.0)  # why replay marks it
    again = chain.front(letter.raw)
    assert isinstance(again, Prepared)
    again.origin["replay"] = "model_unavailable"  # the header `wirestream replay` sets
    (replayed,) = chain.annotate([chain.deduplicate(again)])
    assert isinstance(replayed, Enriched) and replayed.entities_model == "corenlp:german"
    assert replayed.dedup.status == "unique" and replayed.enrichment == "full"
    assert any(e.text == "Friedrich Merz" for e in replayed.entities)


class Choking:
    """The installed English model, failing on any batch that holds one poisoned text (as a server
    answers HTTP 500 to one story): the chain must lose only that story."""

    name = "choking"
    backend = "spacy"
    load_seconds = 0.0

    def __init__(self) -> None:
        model = ModelRegistry().get("en")
        assert model is not None
        self.model = model

    def pipe(self, texts: Sequence[str], *, batch_size: int = 32) -> list[Doc]:
        if any("POISON" in t for t in texts):
            raise ValueError("the model choked")
        return self.model.pipe(texts, batch_size=batch_size)


def test_a_story_the_model_chokes_on_is_dead_lettered_alone() -> None:
    chain = Chain()
    chain.models._models["en"] = Choking()
    bodies = [
        "Mayor Elena Ruiz of Harlow said on Tuesday that the flood defences would be raised.",
        "POISON Officials in Valmora said the harbour would reopen on Friday after the spill.",
        "Colonel Steve Warren told reporters in Baghdad that the offensive would continue.",
    ]
    batch = []
    for i, body in enumerate(bodies):
        front = chain.front(json.dumps({"id": f"en-{i}", "body": body, "language": "en"}))
        assert isinstance(front, Prepared)
        deduped = chain.dedup_or_dead(front)
        assert isinstance(deduped, Prepared)
        batch.append(deduped)
    first, poisoned, last = chain.annotate(batch)
    assert isinstance(poisoned, DeadLetter) and poisoned.error == "model_error" and poisoned.id == "en-1"
    assert isinstance(first, Enriched) and any(e.canonical == "Elena Ruiz" for e in first.entities)
    assert isinstance(last, Enriched) and any(e.canonical == "Steve Warren" for e in last.entities)


def test_a_server_that_does_not_answer_is_passed_over_only_when_another_model_serves() -> None:
    down = ModelConfig(corenlp_url="http://127.0.0.1:9/")  # nothing listens there; no start command
    registry = ModelRegistry(down)
    assert registry.resolve("es") == "es_core_news_sm"  # Spanish falls back to spaCy
    assert registry.resolve("de") == "corenlp:german"  # German has nothing else: its stories will wait


def test_the_start_command_brings_a_stopped_server_up(spare_server: Path) -> None:
    env = os.environ | {"WIRESTREAM_CORENLP_PORT": str(SPARE_PORT)}
    subprocess.run([str(SCRIPT), "stop"], env=env, timeout=60, check=True, capture_output=True)
    start = ("env", f"WIRESTREAM_CORENLP_PORT={SPARE_PORT}", str(SCRIPT), "start")
    config = ModelConfig(corenlp_url=f"http://127.0.0.1:{SPARE_PORT}/", corenlp_start=start)
    assert ModelRegistry(config).resolve("es") == "corenlp:spanish"  # started, so CoreNLP serves Spanish


def test_prefetch_loads_in_the_background_and_get_waits_for_it() -> None:
    registry = ModelRegistry()
    registry.prefetch(["fr", "fr"])  # once per language, however often asked
    model = registry.get("fr")  # waits for the load in progress rather than loading a second copy
    assert model is not None and model.name.startswith("fr_core_news")
    assert registry.ready("fr") and registry.get("fr") is model
    assert not registry.ready("en")  # nothing else was loaded


def test_prefetch_of_a_language_without_a_model_settles_quietly() -> None:
    registry = ModelRegistry(ModelConfig(models={"xx": ("no_such_model_package",)}))
    registry.prefetch(["xx"])
    deadline = time.time() + 30
    while not registry.ready("xx") and time.time() < deadline:
        time.sleep(0.05)
    assert registry.ready("xx") and registry.get("xx") is None
