"""The OpenAPI schema documents every error an operation can answer, in the one error shape.

A drf-spectacular post-processing hook: one place adds the shared `Error` component and, to
every operation, the statuses the stack can give it (authentication, roles, rate limits, the
body's size and type, conflicts), without overwriting what a view documents itself.
"""

from __future__ import annotations

from typing import Any

from clinic.visibility import CLINICAL_FIELDS

ERROR = {
    "type": "object",
    "description": "The one error shape of the whole API.",
    "properties": {
        "detail": {"type": "string", "description": "A sentence for the person."},
        "code": {"type": "string", "description": "A stable code for programs."},
        "fields": {
            "type": "object",
            "description": "Messages per input field, when the error names any.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail", "code", "fields"],
    "additionalProperties": True,  # refusals may add what lies behind them: rules, shifts
}
READS = {
    "400": "Bad input (a filter or a parameter).",
    "401": "No credentials, or they expired.",
    "403": "The role may not do this.",
    "404": "No such record, or not one this user may see.",
    "405": "Not a method of this address.",
    "429": "Too many requests, or a login locked out (see Retry-After).",
    "500": "A fault on the server; nothing was saved.",
}
WRITES = {
    **READS,
    "409": "A conflict with the clinic's state (a booking taken, a contraindication).",
    "413": "The body is larger than the server accepts.",
    "415": "The body is not JSON.",
}


def error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            statuses = READS if method == "get" else WRITES
            responses = operation.setdefault("responses", {})
            for status, description in statuses.items():
                responses.setdefault(status, {"description": description, "content": reference})
    return result


def clinical_fields_optional(result: dict[str, Any], generator: Any = None, **kwargs: Any) -> dict:
    """A representation leaves out the clinical fields its reader may not see
    (clinic.visibility): the schema says so, field by field, instead of promising them."""
    if generator is None:
        return result
    components = result.get("components", {}).get("schemas", {})
    for component in generator.registry._components.values():
        model = getattr(getattr(component.object, "Meta", None), "model", None)
        schema = components.get(component.name)
        if model is None or schema is None:
            continue
        hidden = set(CLINICAL_FIELDS.get(model._meta.label_lower, ()))
        for name in hidden & set(schema.get("properties", {})):
            field = schema["properties"][name]
            field["description"] = (
                f"{field.get('description', '')} Clinical: only for roles that see the "
                "clinical record."
            ).strip()
        if "required" in schema:
            schema["required"] = [n for n in schema["required"] if n not in hidden]
            if not schema["required"]:
                del schema["required"]
    return result
