"""A readable page of the JSON API, rendered on the server from the OpenAPI schema.

Swagger UI would need inline script and a CDN, which the Content-Security-Policy
forbids; this page needs neither. The machine-readable schema is /api/openapi.json.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.web.templating import render_page

router = APIRouter(include_in_schema=False)
METHODS = ("get", "post", "put", "patch", "delete")


def _ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref")
    return ref.rsplit("/", 1)[1] if ref else None


def _type_of(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[1]
    if "anyOf" in schema:
        return " or ".join(_type_of(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(repr(v) for v in schema["enum"])
    if schema.get("type") == "array":
        return f"list of {_type_of(schema.get('items', {}))}"
    if "const" in schema:
        return repr(schema["const"])
    return schema.get("format") or schema.get("type", "any")


def _fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        limits = [f"{k} {prop[k]}" for k in ("minLength", "maxLength", "minimum", "maximum", "pattern") if k in prop]
        rows.append(
            {
                "name": name,
                "type": _type_of(prop),
                "required": name in required,
                "description": prop.get("description", ""),
                "limits": ", ".join(limits),
            }
        )
    return rows


@router.get("/api/docs")
async def api_docs(request: Request) -> Response:
    spec = request.app.openapi()
    schemas = spec.get("components", {}).get("schemas", {})
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, operations in spec.get("paths", {}).items():
        for method in METHODS:
            operation = operations.get(method)
            if not operation:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            ok: dict[str, Any] = next(
                (r for code, r in operation.get("responses", {}).items() if code.startswith("2")), {}
            )
            answer = ok.get("content", {}).get("application/json", {}).get("schema", {})
            body_name = _ref_name(body)
            groups.setdefault((operation.get("tags") or ["other"])[0], []).append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "body": body_name,
                    "body_fields": _fields(schemas.get(body_name, {})) if body_name else [],
                    "answer": _type_of(answer) if answer else "",
                }
            )
    return render_page(
        request,
        "api_docs.html",
        {
            "groups": groups,
            "schemas": {
                name: _fields(schema)
                for name, schema in schemas.items()
                if name.endswith(("Public", "Detail", "Info", "Response", "Seat"))
            },
        },
    )
