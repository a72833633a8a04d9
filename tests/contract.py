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
        # from agency documents (defaults for our JSON stories): CONTRACT.md, "or an agency document"
        "format",
        "pubstatus",
        "embargoed",
        "signals",
        "byline",
        "dateline",
        "located",
        "subjects",
    }
)
DEAD_LETTER_FIELDS = frozenset({"error", "detail", "stage", "raw", "topic", "partition", "offset"})
