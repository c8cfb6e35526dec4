"""OpenAPI: the error answers that every operation can give, documented once here instead of on each view.

A drf-spectacular postprocessing hook adds, where the operation can give them and the view did not document them itself:
400 (bad parameters or body), 403 (not signed in: session authentication comes first, so DRF answers 403, not 401;
or not staff), 404 (an id that is not yours, a page past the end), 415 (a body type the view does not parse) and 429
(throttled). Every one is a JSON object with a human-readable `detail`, except DRF's field errors on 400.
"""

ERROR = {
    "type": "object",
    "description": "An error with a human-readable message.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "a machine-readable reason, where the endpoint has one"},
    },
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": "Invalid input: `detail` with the first problem, or DRF's field errors (field -> messages).",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
ERRORS = {
    "400": ("Invalid parameters or body.", "ValidationError"),
    "403": ("Not signed in, or not allowed (staff-only operations).", "Error"),
    "404": ("No such object among yours, or no such page.", "Error"),
    "415": ("The request body's content type is not accepted.", "Error"),
    "429": ("Too many requests: throttled; retry after the Retry-After header's seconds.", "Error"),
}
METHODS = {"get", "post", "put", "patch", "delete"}


def _response(description: str, component: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def _errors_for(operation: dict) -> list[str]:
    parameters = operation.get("parameters", [])
    codes = ["429"]
    if any(p.get("in") == "path" for p in parameters) or any(p.get("name") == "page" for p in parameters):
        codes.append("404")
    if operation.get("requestBody") or any(p.get("in") == "query" for p in parameters):
        codes.append("400")
    if operation.get("requestBody"):
        codes.append("415")
    if {} not in operation.get("security", [{}]):  # an anonymous caller is refused
        codes.append("403")
    return codes


def document_error_responses(result: dict, generator, request, public: bool) -> dict:  # noqa: ANN001
    """drf-spectacular POSTPROCESSING_HOOKS entry: error responses, the error schemas and `page` >= 1."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in METHODS:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("name") in {"page", "page_size"} and parameter.get("in") == "query":
                    parameter.setdefault("schema", {}).setdefault("minimum", 1)
            responses = operation.setdefault("responses", {})
            for code in _errors_for(operation):
                if code not in responses:
                    responses[code] = _response(*ERRORS[code])
            operation["responses"] = dict(sorted(responses.items()))
    return result
