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


def contract_errors(kind: str, record: object) -> list[str]:
    """Why `record` breaks schemas/<kind>.json (`raw`, `enriched`, `deadletter`, `ninjs`); empty when it
    does not."""
    from pipeline.schemas import errors

    return errors(kind, record)


def assert_follows_contract(kind: str, record: object) -> None:
    """Fail with every violation of schemas/<kind>.json, naming the record's id."""
    found = contract_errors(kind, record)
    ident = record.get("id") if isinstance(record, dict) else None
    assert not found, f"{kind} record {ident!r} breaks the contract: " + "; ".join(found)
