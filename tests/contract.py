"""The record fields ../shared/CONTRACT.md promises, written out once for every test that checks them."""

ENRICHED_FIELDS = frozenset(
    {
        "id",
        "version",
        "source",
        "headline",
        "url",
        "published_at",
        "body",
        "language",
        "entities",
        "quotes",
        "dedup",
        "processed_at",
        "stages",
    }
)
DEAD_LETTER_FIELDS = frozenset({"error", "detail", "stage", "raw", "topic", "partition", "offset"})
