"""The OpenAPI schema documents every error an operation can answer, in the one error shape,
and the links from one operation's answer to the next operation.

drf-spectacular post-processing hooks: one place adds the shared `Error` component and, to
every operation, the statuses the stack can give it (authentication, roles, rate limits, the
body's size and type, conflicts), without overwriting what a view documents itself; one table
(LINKS) says which ids feed which operations.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from clinic.visibility import CLINICAL_FIELDS

#: Text fields whose format or pattern already says what they take.
FORMATTED_TEXT = (
    serializers.EmailField,
    serializers.IPAddressField,
    serializers.RegexField,
    serializers.SlugField,
    serializers.URLField,
    serializers.UUIDField,
)


def _not_white_space() -> str:
    """A pattern for "holds a character str.strip() keeps", spelt out character by character:
    regex engines disagree on what \\s means (ECMAScript's leaves out \\x1c-\\x1f, which Python
    strips), and the schema is read by clients in every language."""
    spaces = [code for code in range(0x3001) if chr(code).isspace()]
    ranges: list[tuple[int, int]] = []
    for code in spaces:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    spelt = "".join(
        f"\\u{first:04x}" if first == last else f"\\u{first:04x}-\\u{last:04x}"
        for first, last in ranges
    )
    return f"[^{spelt}]"


NOT_WHITE_SPACE = _not_white_space()


class ClinicAutoSchema(AutoSchema):
    """drf-spectacular's schema, exact about text: DRF strips a text field before it checks it
    is not blank, so a required text is documented as holding something besides white space,
    not merely as one character long ("\r" is refused)."""

    def _get_serializer_field_meta(self, field: Any, direction: str) -> dict[str, Any]:
        meta = super()._get_serializer_field_meta(field, direction)
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and not isinstance(field, FORMATTED_TEXT)
            and field.trim_whitespace
            and not field.allow_blank
        ):
            meta["pattern"] = NOT_WHITE_SPACE
        return meta

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
    "414": "The address (path and query) is longer than the server reads.",
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
            # An error a view documents in words only (its own reason for a 409) is still in
            # the one error shape.
            for status, response in responses.items():
                if status.startswith(("4", "5")) and not response.get("content"):
                    response["content"] = reference
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


# --- Links: where an id one operation answers is what another needs -----------------------------
# OpenAPI links name, for a response, the operations its ids feed and where they go (a path or
# query parameter, or a field of the body); clients read them as "what next", and the fuzzer's
# stateful phase follows them from a new patient to its concerns, a plan, its sessions, a
# booking and the visit.

PATIENT_OPERATIONS = (
    "patients_retrieve",
    "patients_update",
    "patients_partial_update",
    "patients_archive_create",
    "patients_concerns_list",
    "patients_concerns_create",
)
SESSION_OPERATIONS = (
    "sessions_retrieve",
    "sessions_availability_list",
    "sessions_book_create",
    "sessions_reschedule_create",
    "sessions_cancel_create",
    "sessions_check_in_create",
    "sessions_no_show_create",
    "sessions_record_create",
    "sessions_amend_create",
    "sessions_rescreen_create",
    "sessions_reopen_create",
)
SCREENING_OPERATIONS = ("screenings_retrieve", "screenings_override_create")
PATIENT_QUERIES = (
    "plans_list",
    "plan_refusals_list",
    "screenings_list",
    "consultations_list",
    "consultations_availability_list",
)
CONSULTATION_OPERATIONS = (
    "consultations_retrieve",
    "consultations_cancel_create",
    "consultations_attend_create",
)


def _to(targets: tuple[str, ...], parameter: str, pointer: str) -> dict[str, dict[str, Any]]:
    """Links handing the value at `pointer` in the response to `parameter` of each target."""
    return {
        target: {"operationId": target, "parameters": {parameter: f"$response.body#{pointer}"}}
        for target in targets
    }


def _body(target: str, **pointers: str) -> dict[str, dict[str, Any]]:
    """A link filling fields of the target's body (the rest of the body is the client's)."""
    body = {name: f"$response.body#{pointer}" for name, pointer in pointers.items()}
    return {target: {"operationId": target, "requestBody": body}}


def _patient(pointer: str) -> dict[str, dict[str, Any]]:
    return {
        **_to(PATIENT_OPERATIONS, "path.public_id", pointer),
        **_to(PATIENT_QUERIES, "query.patient", pointer),
    }


def _session(pointer: str) -> dict[str, dict[str, Any]]:
    return {
        **_to(SESSION_OPERATIONS, "path.public_id", pointer),
        **_body("screenings_rescreen_create", session=pointer),
    }


#: What can be done to one plan, by its id.
PLAN_OPERATIONS = (
    "plans_retrieve",
    "plans_series_availability_create",
    "plans_book_series_create",
    "plans_schedule_create",
)


def _plan(pointer: str) -> dict[str, dict[str, Any]]:
    return {
        **_to(PLAN_OPERATIONS, "path.public_id", pointer),
        **_to(("sessions_list",), "query.plan", pointer),
    }


def _slot(target: str) -> dict[str, dict[str, Any]]:
    """The first free slot, for the session whose availability it is."""
    first = "$response.body#/0"
    return {
        target: {
            "operationId": target,
            "parameters": {"path.public_id": "$request.path.public_id"},
            "requestBody": {
                "starts_at": f"{first}/starts_at",
                "practitioner": f"{first}/practitioners/0/id",
                "room": f"{first}/rooms/0/id",
            },
        }
    }


def _consultation_slot() -> dict[str, dict[str, Any]]:
    """The first free time, for the patient whose availability it is: a new patient's first
    booking."""
    first = "$response.body#/0"
    return {
        "consultations_create": {
            "operationId": "consultations_create",
            "requestBody": {
                "patient": "$request.query.patient",
                "starts_at": f"{first}/starts_at",
                "practitioner": f"{first}/practitioners/0/id",
                "room": f"{first}/rooms/0/id",
            },
        }
    }


def _evidence(kind: str, key: str) -> dict[str, dict[str, Any]]:
    return _to((f"evidence_{kind}_retrieve",), f"path.{key}", f"/results/0/{key}")


#: (operationId, status) -> the links of that response, by name (the target's operationId).
LINKS: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    ("patients_create", "201"): _patient("/id"),
    ("patients_retrieve", "200"): _patient("/id"),
    ("patients_update", "200"): _patient("/id"),
    ("patients_partial_update", "200"): _patient("/id"),
    ("patients_list", "200"): _patient("/results/0/id"),
    ("patients_concerns_create", "201"): {
        **_body("plans_create", concern="/id", patient="/patient"),
        **_body("plans_preview_create", concern="/id", patient="/patient"),
    },
    ("patients_concerns_list", "200"): {
        **_body("plans_create", concern="/results/0/id", patient="/results/0/patient"),
        **_body("plans_preview_create", concern="/results/0/id", patient="/results/0/patient"),
    },
    ("plans_create", "201"): {**_plan("/id"), **_session("/sessions/0/id")},
    ("plans_retrieve", "200"): {**_plan("/id"), **_session("/sessions/0/id")},
    ("plans_list", "200"): _plan("/results/0/id"),
    ("plans_schedule_create", "200"): {**_plan("/id"), **_session("/sessions/0/id")},
    # The preview's first proposal, for the same plan: the series as proposed.
    ("plans_series_availability_create", "200"): {
        "plans_book_series_create": {
            "operationId": "plans_book_series_create",
            "parameters": {"path.public_id": "$request.path.public_id"},
            "requestBody": {
                "starts_at": "$response.body#/0/slot/starts_at",
                "practitioner": "$response.body#/0/slot/practitioner/id",
                "room": "$response.body#/0/slot/room/id",
            },
        }
    },
    ("plans_book_series_create", "200"): _session("/0/id"),
    ("sessions_list", "200"): _session("/results/0/id"),
    ("sessions_retrieve", "200"): _session("/id"),
    ("sessions_availability_list", "200"): {
        **_slot("sessions_book_create"),
        **_slot("sessions_reschedule_create"),
    },
    ("sessions_book_create", "200"): _session("/id"),
    ("sessions_reschedule_create", "200"): _session("/id"),
    ("sessions_check_in_create", "200"): _session("/id"),
    ("sessions_record_create", "200"): _session("/id"),
    ("sessions_amend_create", "200"): _session("/id"),
    ("sessions_rescreen_create", "200"): _session("/id"),
    ("sessions_reopen_create", "200"): _session("/id"),
    ("plan_refusals_list", "200"): _to(
        ("plan_refusals_retrieve",), "path.public_id", "/results/0/id"
    ),
    ("screenings_rescreen_create", "201"): _to(SCREENING_OPERATIONS, "path.public_id", "/id"),
    ("screenings_list", "200"): _to(SCREENING_OPERATIONS, "path.public_id", "/results/0/id"),
    ("evidence_studies_list", "200"): _evidence("studies", "code"),
    ("evidence_indications_list", "200"): _evidence("indications", "slug"),
    ("evidence_protocols_list", "200"): _evidence("protocols", "code"),
    ("evidence_rules_list", "200"): _evidence("rules", "code"),
    ("evidence_scales_list", "200"): _evidence("scales", "code"),
    ("evidence_indications_retrieve", "200"): _to(
        ("evidence_protocols_list",), "query.indication", "/slug"
    ),
    ("auth_tokens_list", "200"): _to(("auth_tokens_destroy",), "path.prefix", "/0/prefix"),
    ("consultations_availability_list", "200"): _consultation_slot(),
    ("consultations_create", "201"): _to(CONSULTATION_OPERATIONS, "path.public_id", "/id"),
    ("consultations_list", "200"): _to(CONSULTATION_OPERATIONS, "path.public_id", "/results/0/id"),
    ("consultations_retrieve", "200"): _to(CONSULTATION_OPERATIONS, "path.public_id", "/id"),
}


def operation_links(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Adds LINKS to their responses; a link to or from an operation the schema no longer has
    fails the schema's generation instead of pointing nowhere."""
    operations = {
        operation["operationId"]: operation
        for operations in result.get("paths", {}).values()
        for method, operation in operations.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }
    for (source, status), links in LINKS.items():
        for name, link in links.items():
            if link["operationId"] not in operations:
                raise KeyError(f"link {name} from {source} goes to no operation")
            # A link to its own operation is no step forward.
            if link["operationId"] != source:
                response = operations[source]["responses"][status]
                response.setdefault("links", {})[name] = link
    return result

