"""Stage tuning values, as dataclass defaults the caller may override.

Nothing here reads the environment: `agents.settings` does that and builds these.
Each stage owns one section; add fields to your stage's section only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.sizes import DEFAULT_MAX_MESSAGE_BYTES, body_limit

# The 30 most common news languages (ISO 639-1) that lingua supports.
DEFAULT_LANGUAGES: tuple[str, ...] = (
    "en",
    "fr",
    "de",
    "es",
    "pt",
    "it",
    "nl",
    "ru",
    "ar",
    "zh",
    "ja",
    "ko",
    "tr",
    "pl",
    "sv",
    "da",
    "nb",
    "fi",
    "el",
    "he",
    "hi",
    "id",
    "vi",
    "th",
    "uk",
    "cs",
    "ro",
    "hu",
    "fa",
    "ca",
)


@dataclass(frozen=True, slots=True)
class CleanConfig:
    """Cleaning: the patterns are data files (resources/clean/); these bound where they apply."""

    max_chrome_line_words: int = 8  # a chrome line is short; longer lines are story text
    min_repeat_chars: int = 12  # shorter repeated paragraphs ("No.") may be the story's own
    byline_lines: int = 2  # bylines are looked for only in the first lines of a body
    max_caption_chars: int = 400  # a line printed twice over is undoubled only up to this length


@dataclass(frozen=True, slots=True)
class LanguageConfig:
    languages: tuple[str, ...] = DEFAULT_LANGUAGES
    prefix_chars: int = 400  # detect on a bounded prefix, for speed (lingua's cost grows with length)
    min_chars: int = 12  # fewer letters is "und" unless hinted (a Han/kana/Hangul/Thai one counts 3)
    min_confidence: float = 0.4  # a weaker best guess is "und" unless hinted
    hint_margin: float = 0.2  # a hint this close to the best guess wins (Danish vs Bokmål on a flash)
    mixed_min_chars: int = 60  # longer samples are checked half by half for mixed languages
    whole_max_chars: int = 240  # shorter samples are also scored whole (halves alone score a flash poorly)
    mixed_confidence: float = 0.4  # halves this sure (2x the rival) of different languages: mixed
    low_accuracy: bool = False  # lingua's trigram-only mode: faster on long text, weak on one-line flashes
    cascade: bool = True  # screen in low-accuracy mode; high accuracy only for short or close texts
    screen_chars: int = 120  # a text with this many letters is long enough for the screen alone ...
    screen_margin: float = 0.5  # ... when its best language leads the runner-up by this much
    max_candidates: int = 4  # the screen's best languages scored again in high-accuracy mode (and the hint's)
    preload: bool = False  # load all n-gram models at build time instead of on first use
    hint_aliases: dict[str, str] = field(
        default_factory=lambda: {"no": "nb", "nn": "nb", "iw": "he", "in": "id", "ji": "yi", "jw": "jv"}
    )


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """NER models: which per language (data: resources/entities/models.json; `models` overrides a
    language with specs tried in order, a bare name being a spaCy package), and the CoreNLP server."""

    models: dict[str, tuple[str, ...]] = field(default_factory=dict)
    batch_size: int = 32
    max_chars: int = 200_000  # longer bodies are cut for NER, never sent whole to the model
    corenlp_url: str = "http://127.0.0.1:9000/"  # empty: no CoreNLP, its languages get no entities
    corenlp_start: tuple[str, ...] = ()  # command that (re)starts the server when it refuses connections
    corenlp_start_timeout: float = 180.0
    corenlp_timeout: float = 60.0  # per request (a first request also loads the language's model)
    corenlp_retries: int = 3  # then the batch's stories are dead-lettered `model_unavailable`
    corenlp_backoff: float = 1.0  # seconds before the first retry, doubling
    corenlp_request_chars: int = 100_000  # stories per request up to this many characters
    corenlp_parallel: int = 2  # a batch split into this many requests at once (the server's -threads 2)


@dataclass(frozen=True, slots=True)
class DedupConfig:
    """Dedup: tuned on `wirestream eval dedup --sweep` (our own stories and their transformations)."""

    threshold: float = 0.8  # MinHash Jaccard estimate at which a text is a near-duplicate
    num_perm: int = 128  # signature slots, a power of two (changing it, bands or shingle_words: fresh state)
    bands: int = 32  # LSH bands of num_perm/bands rows: candidates from Jaccard ~0.5 up, then verified
    min_band_hits: int = 2  # a candidate shares at least this many bands (one is chance at Jaccard ~0.3)
    shingle_words: int = 3
    horizon_seconds: float = 72 * 3600
    duplicate_containment: float = 0.85  # share of a text found in a seen one: a cut or lightly edited copy
    update_containment: float = 0.7  # share of the seen text a same-source story must keep to update it ...
    update_min_growth: float = 0.05  # ... adding at least this share of new shingles (of the seen text's) ...
    update_min_added: int = 8  # ... and at least this many
    correction_similarity: float = 0.5  # a same-source story saying it corrects, at least this similar
    marker_window: int = 600  # correction notes: looked for in the headline and this many chars at each end
    max_bucket_ids: int = 64  # ids kept per LSH bucket (the oldest drop out): bounds degenerate texts
    paragraphs_from: float = 0.5  # whole-text share kept (estimated) from which paragraphs are compared
    paragraph_sample: int = 8  # smallest shingle hashes kept per paragraph (bottom-k; changed: fresh state)
    paragraph_same: int = 5  # two paragraphs sharing this many of them are the same (copy, light edit)
    paragraph_rewrite: int = 2  # a new paragraph sharing this many with an old one it replaced rewrites it
    paragraph_min_shingles: int = 6  # shorter paragraphs (chrome, bylines, a dateline) are not sampled
    paragraph_key_shingles: int = 15  # paragraphs at least this long are index keys (copies find each other)
    duplicate_min_paragraphs: int = 3  # a story of this many paragraphs, each one a seen story's: duplicate
    update_min_paragraph_shingles: int = 8  # an update adds new paragraphs of at least this many shingles


@dataclass(frozen=True, slots=True)
class QuoteConfig:
    """Quotes: the cue verbs and word classes are data files (resources/quotes/); these are thresholds."""

    min_direct_words: int = 4  # fewer words without a cue: a scare quote or title, not a quote
    min_indirect_words: int = 2  # a shorter reported clause is not worth reporting
    indirect: bool = True  # also report indirect speech ("Smith said (that) ...")
    keep_unattributed: bool = False  # report long quotes with no speaker found (speaker null)
    partial_needs_clause: bool = True  # a partial quote is kept only inside a reported clause we found
    continue_across_paragraphs: bool = False  # a cue-less quote opening the next paragraph inherits too


@dataclass(frozen=True, slots=True)
class PipelineConfig:
    clean: CleanConfig = field(default_factory=CleanConfig)
    language: LanguageConfig = field(default_factory=LanguageConfig)
    models: ModelConfig = field(default_factory=ModelConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    quotes: QuoteConfig = field(default_factory=QuoteConfig)
    # bodies over this many bytes of UTF-8 go to the dead-letter topic: derived from the topics'
    # max.message.bytes (pipeline.sizes), 2 MiB less 256 bytes by default
    max_body_bytes: int = body_limit(DEFAULT_MAX_MESSAGE_BYTES)
    max_document_bytes: int = 16 * 1024 * 1024  # agency documents over 16 MiB: `document_too_large`
