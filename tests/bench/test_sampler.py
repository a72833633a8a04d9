"""The worker profile's report from py-spy's raw (collapsed) stacks."""

from __future__ import annotations

from deploy.bench.sampler import collapsed_report

RAW = [
    "thread (11): MainThread;run (asyncio/base_events.py:600);detect (pipeline/language.py:154) 30\n",
    "thread (11): MainThread;run (asyncio/base_events.py:600);encode (agents/topics.py:85) 10\n",
    "thread (12): nlp_0;_worker (concurrent/futures/thread.py:69);pipe (spacy/language.py:1536) 50\n",
    "thread (13): nlp_1;_worker (concurrent/futures/thread.py:69);annotate (pipeline/chain.py:321) 10\n",
    "not a stack line\n",
]


def test_threads_functions_and_cpu_per_thread() -> None:
    cpu = {11: (1.5, 0.25), 12: (6.0, 0.5), 13: (1.0, 0.0), 99: (0.5, 0.0)}  # tid -> (user, system) s
    text = collapsed_report(RAW, rate=200, cpu=cpu)
    assert "by thread (/proc): nlp 7.50 (system 0.50), MainThread 1.75 (system 0.25), " in text
    assert "(other threads) 0.50" in text
    nlp, main = text.split("==== thread nlp: 60 samples ====")[1].split("==== thread MainThread: 40 samples")
    assert "      60 100.0%  _worker  (thread.py:69)" in nlp  # both executor threads count as one
    assert "      50  83.3%  pipe  (language.py:1536)" in nlp
    own = main.split("-- own")[1]
    assert "      30  75.0%  detect  (language.py:154)" in own
    assert "      10  25.0%  encode  (topics.py:85)" in own
