"""The contract as JSON Schema: our raw story, enriched record and dead letter, and the official IPTC ninjs.

The files live in `pipeline/resources/schemas/` (installed as package data; `schemas/` at the repository
root points there). The ninjs schemas `$ref` GeoJSON by its web address; a `referencing` registry serves
that schema from the local copy, so validation never touches the network.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

# name -> file under resources/schemas; "ninjs" is the ninjs 3.x our output declares
SCHEMA_FILES = {
    "raw": "raw.json",
    "enriched": "enriched.json",
    "deadletter": "deadletter.json",
    "ninjs": "ninjs/ninjs-schema_3.1.json",
    "ninjs-3.1": "ninjs/ninjs-schema_3.1.json",
    "ninjs-3.0": "ninjs/ninjs-schema_3.0.json",
    "ninjs-2": "ninjs/ninjs-schema_2.2.json",
    "ninjs-2.2": "ninjs/ninjs-schema_2.2.json",
}
_LOCAL_ONLY = ("ninjs/GeoJSON.json",)  # referenced by the ninjs schemas, not a record schema of its own


class UnknownSchema(KeyError):
    """A schema name that is not one of SCHEMA_FILES."""


def schema_text(name: str) -> str:
    """The schema file as it is stored (what `wirestream schema NAME` prints)."""
    if name not in SCHEMA_FILES:
        raise UnknownSchema(name)
    return _read(SCHEMA_FILES[name])


def load_schema(name: str) -> dict[str, Any]:
    """The schema as a JSON object."""
    schema: dict[str, Any] = json.loads(schema_text(name))
    return schema


def _read(path: str) -> str:
    return resources.files("pipeline.resources.schemas").joinpath(path).read_text("utf-8")


@cache
def _registry() -> Any:
    """Every stored schema under its `$id`, so `$ref`s between them resolve offline."""
    from referencing import Registry, Resource

    documents = [json.loads(_read(path)) for path in {*SCHEMA_FILES.values(), *_LOCAL_ONLY}]
    pairs = [(doc["$id"].rstrip("#"), Resource.from_contents(doc)) for doc in documents if "$id" in doc]
    return Registry().with_resources(pairs)


@cache
def validator(name: str) -> Any:
    """A jsonschema validator of one schema (formats asserted: a ninjs `uri` must be a URI, dates dates)."""
    import jsonschema

    schema = load_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, registry=_registry(), format_checker=cls.FORMAT_CHECKER)


def errors(name: str, instance: Any) -> list[str]:
    """Why `instance` is not valid against schema `name` (empty when it is), one line per violation."""
    found = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in found]
