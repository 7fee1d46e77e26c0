"""The OpenAPI document (no token needed: it holds no data) and its page for people."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from . import bp, json_response
from .openapi import OPERATIONS, build

docs = Blueprint("api_docs", __name__)


def description() -> dict:
    if "docgen_openapi" not in current_app.extensions:
        current_app.extensions["docgen_openapi"] = build(current_app)
    return current_app.extensions["docgen_openapi"]


@bp.get("/openapi.json")
def openapi():
    return json_response(description())


@docs.get("/pomoc/api")
def page():
    """The API described for people: every endpoint, its parameters and answers, in Polish."""
    spec = description()
    order = list(OPERATIONS)  # types, families, documents, print jobs, institutions, as a reader goes
    operations = sorted(((path, method.upper(), operation) for path, methods in spec["paths"].items()
                         for method, operation in methods.items()),
                        key=lambda item: order.index("api." + item[2]["operationId"]))
    return render_template("api/docs.html", spec=spec, operations=operations)
