"""Labelled lines for the quotes stage: a paragraph opened by a speaker's name and a colon, the way
interview transcripts ("SMITH: We will ...", "Q: ...") and headlines ("Smith: Plan will fail") print
what someone says. The content is the rest of the line, kind `indirect` (no quote marks: a quoted
line is a direct quote, attributed by `quotes.direct`). Section labels ("UPDATE:", "Photo:") are
data (`not_labels`), not speakers.
"""

from __future__ import annotations

import re

from pipeline.quotes.context import SPEAKER_LABELS, Context, Mention
from pipeline.quotes.lexicon import norm
from pipeline.quotes.resolve import speaker_of
from pipeline.records import Cue, Quote

_LABEL = re.compile(r"(?m)^[ \t]*(?P<label>[^\W\d_][^\n:]{0,40}?)[ \t]*:[ \t]+(?P<rest>[^\n]*\S)")
_MARKS = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e`"


def labelled_lines(ctx: Context, min_words: int) -> list[Quote]:
    """Quotes for lines opened by a short capitalised label and a colon."""
    out: list[Quote] = []
    for m in _LABEL.finditer(ctx.text):
        label, rest = m.group("label"), m.group("rest")
        words = label.split()
        if not words or len(words) > ctx.lexicon.max_label_words or norm(label) in ctx.lexicon.not_labels:
            continue
        if not all(w[:1].isupper() for w in words) or rest[:1] in _MARKS or len(rest.split()) < min_words:
            continue
        if ctx.layout.quote_at(m.start("label")) is not None:
            continue
        start, end = m.span("label")
        ent = next(
            (e for e in ctx.entities if e.start < end and e.end > start and e.label in SPEAKER_LABELS),
            None,
        )
        if ent is None and not (len(words) == 1 and label.isupper() and len(label) > 3):
            continue  # a name, or a transcript's "SMITH:"; not "The Latest:" or "Q:"
        mention = Mention(ent.start, ent.end, "entity", ent) if ent else Mention(start, end, "descriptor")
        colon = ctx.text.index(":", end)
        out.append(
            Quote(
                rest,
                m.start("rest"),
                m.end("rest"),
                "indirect",
                speaker_of(ctx, mention),
                Cue(":", colon, colon + 1),
            )
        )
    return out
