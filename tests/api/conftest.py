"""API test helpers: a token made through the services, requests with it, answers checked
against the OpenAPI document the app serves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from rsvp.api import tokens
from rsvp.auth.models import Organiser
from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.timeutil import now_utc
from tests.feeds.openapi_check import check, check_schemas


def make_token(organiser: Organiser, events: list[Event] | None, can_write: bool = False,
               days: int = 30) -> str:
    _token, secret = tokens.create(organiser, "CRM sync", events, can_write,
                                   now_utc() + timedelta(days=days))
    db.session.commit()
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def checked(document: dict[str, Any], template: str, response: TestResponse,
            method: str = "get") -> Any:
    """The answer's JSON, once its status and body are found to be the document's for ``template``."""
    operation = document["paths"][template][method]
    check({"paths": {template: {"get": operation}}, "components": document["components"]},
          template, response.status_code, response.get_json(), response.mimetype)
    return response.get_json()


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    served = client.get("/api/v1/openapi.json").get_json()
    check_schemas(served)
    return served
