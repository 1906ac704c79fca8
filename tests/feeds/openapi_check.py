"""Checks an API answer against the OpenAPI document the app serves: its status is one the document
gives for that path, and its JSON body is valid under that status's schema (JSON Schema 2020-12)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

_formats = FormatChecker()


@_formats.checks("date-time", raises=ValueError)
def _utc_time(value: object) -> bool:
    """The API's times: RFC 3339 in UTC, written with ``Z``."""
    return not isinstance(value, str) or (value.endswith("Z") and bool(datetime.fromisoformat(value)))


def check(document: dict[str, Any], path: str, status: int, body: Any, content_type: str) -> None:
    """:raises AssertionError: ``status`` is not documented for ``path``, or ``body`` does not match."""
    responses = document["paths"][path]["get"]["responses"]
    assert str(status) in responses, f"{path} answered {status}, which the document does not give"
    documented = responses[str(status)].get("content") or {}
    if not documented:
        assert not body, f"{path} {status}: the document gives no body"
        return
    assert content_type in documented, (path, status, content_type)
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              **documented[content_type]["schema"], "components": document["components"]}
    Draft202012Validator(schema, format_checker=_formats).validate(body)


def check_schemas(document: dict[str, Any]) -> None:
    """Each schema in the document is itself a valid JSON Schema."""
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
