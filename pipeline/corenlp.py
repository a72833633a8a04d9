"""Stanford CoreNLP server as an NER backend: several stories per HTTP request over kept-alive sessions.

The server (GPL-3.0, a separate Java process, deploy/corenlp/corenlp.sh) serves every language whose
model jar was resolved; each request names its language's properties (`resources/entities/models.json`:
only the annotators NER needs). A batch's texts are joined with blank lines, which the sentence splitter
treats as sentence breaks, so one request carries many stories and no mention runs across two of them;
a batch goes as `corenlp_parallel` such requests at once, one for each of the server's threads.

A server that is down or too slow never loses a story: a request is retried with backoff, a refused
connection first (re)starts the server through the configured command, and when the retries are spent
`ModelUnavailable` makes the chain dead-letter the batch's stories as `model_unavailable`, to be
replayed. Each retry, restart and give-up is reported through the registry's event hook (a metric).
"""

from __future__ import annotations

import json
import logging
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urljoin

import requests
from spacy.tokens import Doc

from pipeline.config import ModelConfig
from pipeline.nlp import CharSpan, EventHook, ModelUnavailable, _Blank, docs_with_spans, model_choices

log = logging.getLogger(__name__)
SEPARATOR = "\n\n"  # a sentence break for `ssplit.newlineIsSentenceBreak=two` and the Italian tokenizer


class CoreNLPError(RuntimeError):
    """The server answered, but with an error for this request (not a sign that it is down)."""


def utf16_offsets(text: str) -> list[int] | None:
    """Python index of each UTF-16 code unit offset (Java counts those), or None when they coincide."""
    if text.isascii() or max(text) <= "\uffff":
        return None
    index: list[int] = []
    for i, ch in enumerate(text):
        index.append(i)
        if ch > "\uffff":
            index.append(i)  # the second half of a surrogate pair
    index.append(len(text))
    return index


def chunks(texts: Sequence[str], max_chars: int) -> Iterator[list[int]]:
    """Indexes of `texts` grouped into requests of at most `max_chars` (a longer text goes alone)."""
    group: list[int] = []
    size = 0
    for i, text in enumerate(texts):
        if group and size + len(text) + len(SEPARATOR) > max_chars:
            yield group
            group, size = [], 0
        group.append(i)
        size += len(text) + len(SEPARATOR)
    if group:
        yield group


def split_mentions(
    answer: dict[str, Any], texts: Sequence[str], labels: dict[str, str]
) -> list[list[CharSpan]]:
    """The server's entity mentions over the joined text, handed back to each text in its own offsets."""
    joined = SEPARATOR.join(texts)
    index = utf16_offsets(joined)
    starts: list[int] = []
    pos = 0
    for text in texts:
        starts.append(pos)
        pos += len(text) + len(SEPARATOR)
    out: list[list[CharSpan]] = [[] for _ in texts]
    which = 0
    for sentence in answer.get("sentences", ()):
        for mention in sentence.get("entitymentions", ()):
            begin, end = mention["characterOffsetBegin"], mention["characterOffsetEnd"]
            if index is not None:
                begin, end = index[begin], index[end]
            while which + 1 < len(starts) and begin >= starts[which + 1]:
                which += 1
            local = begin - starts[which]
            if end - starts[which] > len(texts[which]):  # ran past its own story: not a mention of it
                continue
            label = str(mention.get("ner", ""))
            out[which].append(CharSpan(local, end - starts[which], labels.get(label, label)))
    return out


def server_up(config: ModelConfig) -> bool:
    """Whether the server answers its liveness page, running the start command once if it does not."""

    def live() -> bool:
        try:
            return requests.get(urljoin(config.corenlp_url, "live"), timeout=2.0).ok
        except requests.RequestException:
            return False

    if live():
        return True
    if config.corenlp_start:
        try:
            subprocess.run(
                config.corenlp_start, check=True, capture_output=True, timeout=config.corenlp_start_timeout
            )
        except (OSError, subprocess.SubprocessError) as exc:
            log.error("CoreNLP start command failed: %s", exc)
    return live()


class CoreNLPModel:
    """One language served by the CoreNLP server."""

    backend = "corenlp"

    def __init__(
        self,
        spec: str,
        lang: str,
        profile: str,
        config: ModelConfig,
        *,
        labels: dict[str, str],
        on_event: EventHook | None = None,
    ) -> None:
        started = time.perf_counter()
        self.name = spec
        self.lang = lang
        self.config = config
        self.labels = labels
        self.on_event = on_event
        properties: dict[str, str] = dict(model_choices()["corenlp"][profile])
        # a profile whose tokenizer miscounts offsets across joined stories (Italian) sends one per request
        self.request_chars = (
            1 if properties.pop("one_story_per_request", "") else config.corenlp_request_chars
        )
        self.params = {"properties": json.dumps(properties | {"outputFormat": "json"})}
        self.blank = _Blank(lang)
        self._local = threading.local()  # a kept-alive Session per thread (a Session is not thread-safe)
        self._pool = ThreadPoolExecutor(max(1, config.corenlp_parallel), thread_name_prefix=f"corenlp-{lang}")
        try:  # the server loads a language's model on its first request: pay for it here, not on a story
            self._annotate("Warm-up.")
        except (ModelUnavailable, CoreNLPError) as exc:
            log.warning("CoreNLP %s not ready at load (%s): stories will retry", profile, exc)
        self.load_seconds = time.perf_counter() - started

    def pipe(self, texts: Sequence[str], *, batch_size: int = 32) -> list[Doc]:
        """The batch in a few requests sent side by side (the server answers each on its own thread; one
        request at a time left one of its two cores idle: 16 against 9 ms a German story)."""
        parallel = max(1, self.config.corenlp_parallel)
        share = -(-sum(len(t) + len(SEPARATOR) for t in texts) // parallel)  # ceiling
        groups = list(chunks(texts, min(self.request_chars, max(1, share))))
        spans: list[list[CharSpan]] = [[] for _ in texts]

        def annotate(group: list[int]) -> list[list[CharSpan]]:
            part = [texts[i] for i in group]
            return split_mentions(self._annotate(SEPARATOR.join(part)), part, self.labels)

        for group, found in zip(groups, self._pool.map(annotate, groups), strict=True):
            for i, mentions in zip(group, found, strict=True):
                spans[i] = mentions
        return docs_with_spans(self.blank.get(), texts, spans)

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _annotate(self, text: str) -> dict[str, Any]:
        """One request, retried with backoff; a refused or broken connection (re)starts the server."""
        attempts = max(1, self.config.corenlp_retries + 1)
        problem = ""
        for attempt in range(attempts):
            if attempt:
                self._event("retry")
                time.sleep(self.config.corenlp_backoff * 2 ** (attempt - 1))
            try:
                response = self._session().post(
                    self.config.corenlp_url,
                    params=self.params,
                    data=text.encode("utf-8"),
                    timeout=(5.0, self.config.corenlp_timeout),
                )
            except requests.ConnectionError as exc:
                problem = f"cannot reach {self.config.corenlp_url}: {type(exc).__name__}"
                self._restart()
                continue
            except requests.Timeout:
                problem = f"no answer within {self.config.corenlp_timeout:g}s"
                continue
            if response.status_code == 200:
                answer: dict[str, Any] = response.json()
                return answer
            problem = f"HTTP {response.status_code}: {response.text[:200]}"
            if response.status_code < 500:
                raise CoreNLPError(problem)
        self._event("unavailable")
        raise ModelUnavailable(f"CoreNLP ({self.name}) after {attempts} attempts: {problem}")

    def _restart(self) -> None:
        """Run the configured start command (idempotent: it returns at once when the server is up)."""
        command = self.config.corenlp_start
        if not command:
            return
        self._event("restart")
        log.warning("CoreNLP at %s is down: running %s", self.config.corenlp_url, " ".join(command))
        try:
            subprocess.run(
                command, check=True, capture_output=True, timeout=self.config.corenlp_start_timeout
            )
        except (OSError, subprocess.SubprocessError) as exc:
            log.error("CoreNLP start command failed: %s", exc)

    def _event(self, event: str) -> None:
        if self.on_event is not None:
            self.on_event(self.backend, self.lang, event)
