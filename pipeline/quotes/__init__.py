"""Quotes stage: direct, partial and indirect quotes with their cue and a resolved speaker.

`extract_quotes(text, entities, lexicon=load_quote_lexicon(lang))` is the stage; the modules behind it:
`layout` (words, quote marks, sentences), `lexicon` (the per-language word lists in
`resources/quotes/<lang>.json`), `context` (the story as the stage reads it), `direct`, `indirect`,
`labels` and `nominal` (the attribution shapes), `speaker` (the mention next to a cue) and `resolve`
(who that mention is).
"""

from pipeline.quotes.extract import extract_quotes
from pipeline.quotes.lexicon import QuoteLexicon, load_quote_lexicon

__all__ = ["QuoteLexicon", "extract_quotes", "load_quote_lexicon"]
