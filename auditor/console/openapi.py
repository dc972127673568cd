"""The API's OpenAPI 3.1 description, served at /api/v1/openapi.json (written by hand: five operations)."""

from __future__ import annotations

from typing import Any

_ERR = {
    "description": "error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_AUTH = {
    "401": {**_ERR, "description": "no valid API key"},
    "403": {**_ERR, "description": "the key's role may not act"},
}
_FILTERS = [
    {"name": n, "in": "query", "required": False, "schema": s, "description": d}
    for n, s, d in (
        (
            "view",
            {
                "type": "string",
                "enum": [
                    "open",
                    "mine",
                    "unassigned",
                    "new",
                    "escalated",
                    "resolved",
                    "overdue",
                    "snoozed",
                    "review",
                    "closed",
                    "all",
                ],
            },
            "queue view",
        ),
        (
            "priority",
            {"type": "string", "enum": ["low", "medium", "high", "critical"]},
            "repeatable",
        ),
        ("min_score", {"type": "number"}, "score band, lower bound"),
        ("max_score", {"type": "number"}, "score band, upper bound"),
        ("rule", {"type": "string"}, "a rule id that fired"),
        ("change", {"type": "string"}, "change since the last run"),
        ("assignee", {"type": "string"}, "assigned user"),
        ("country", {"type": "string"}, "a tenant's country (ISO 3166 alpha-2)"),
        ("q", {"type": "string"}, "text in a tenant id or name"),
        ("expiring", {"type": "integer"}, "decision expiring within N days"),
        ("after", {"type": "integer"}, "cursor: next_cursor of the previous page"),
        ("limit", {"type": "integer", "maximum": 500}, "page size"),
    )
]

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "auditor console API", "version": "1"},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "an API key from `auditor console key create`"}},
        "schemas": {
            "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]},
            "DecisionRequest": {
                "type": "object",
                "properties": {
                    "status": {"type": "string", "enum": ["confirmed", "dismissed", "escalated"]},
                    "reason": {"type": "string"},
                    "until": {"type": ["string", "null"], "format": "date"},
                },
                "required": ["status", "reason"],
            },
            "DecisionState": {
                "type": "object",
                "properties": {"decision_id": {"type": "integer"}, "state": {"type": "string", "enum": ["in-force", "pending-review"]}},
                "required": ["decision_id", "state"],
            },
        },
    },
    "security": [{"bearer": []}],
    "paths": {
        "/api/v1/cases": {
            "get": {"summary": "The queue, filtered, one page", "parameters": _FILTERS,
                    "responses": {"200": {"description": "cases and next_cursor"}, "400": _ERR, **_AUTH}},
        },
        "/api/v1/cases/{case_id}": {
            "get": {"summary": "A case: its record, decisions, pending decisions and comments",
                    "parameters": [{"name": "case_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "the case"}, "404": _ERR, **_AUTH}},
        },
        "/api/v1/cases/{case_id}/decisions": {
            "post": {"summary": "Record a decision (four-eyes may hold it for review)",
                     "parameters": [{"name": "case_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DecisionRequest"}}}},
                     "responses": {"201": {"description": "recorded", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DecisionState"}}}},
                                   "400": _ERR, "404": _ERR, **_AUTH}},
        },
        "/api/v1/decisions/{decision_id}/approve": {
            "post": {"summary": "Approve a pending decision (a reviewer who is not its author)",
                     "parameters": [{"name": "decision_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                     "responses": {"200": {"description": "in force"}, "404": _ERR, **_AUTH}},
        },
    },
}  # fmt: skip
