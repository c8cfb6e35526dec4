"""The OpenAPI schema documents what the views return: pages, the search object, error answers, minimums."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client) -> dict:
    return client.get("/api/schema/", {"format": "json"}).json()


def response_schema(schema: dict, path: str, method: str, code: str) -> dict:
    content = schema["paths"][path][method]["responses"][code]["content"]["application/json"]["schema"]
    ref = content.get("$ref", "")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else content


def test_the_message_list_is_documented_as_a_page(schema):
    page = response_schema(schema, "/api/v1/conversations/{id}/messages/", "get", "200")

    assert {"count", "next", "previous", "results"} <= page["properties"].keys()
    parameters = schema["paths"]["/api/v1/conversations/{id}/messages/"]["get"]["parameters"]
    assert next(p for p in parameters if p["name"] == "page")["schema"]["minimum"] == 1


def test_search_is_documented_as_the_query_and_its_results(schema):
    body = response_schema(schema, "/api/v1/knowledge/search", "get", "200")
    k = next(p for p in schema["paths"]["/api/v1/knowledge/search"]["get"]["parameters"] if p["name"] == "k")

    assert set(body["properties"]) == {"query", "vector_index", "results"}
    assert body["properties"]["results"]["type"] == "array"
    assert (k["schema"]["minimum"], k["schema"]["maximum"]) == (1, 50)


def test_every_operation_documents_throttling_and_its_error_answers(schema):
    operations = {
        (path, method): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }

    assert all("429" in op["responses"] for op in operations.values())
    assert all("404" in op["responses"] for (path, _), op in operations.items() if "{" in path)
    assert all("400" in op["responses"] for op in operations.values() if "requestBody" in op)
    assert "403" in operations[("/api/v1/knowledge/documents", "post")]["responses"]
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]


def test_uploads_document_the_pending_answer_and_the_limits(schema):
    responses = schema["paths"]["/api/v1/knowledge/documents"]["post"]["responses"]
    over_limit = response_schema(schema, "/api/v1/knowledge/documents", "post", "413")

    assert {"201", "202", "413"} <= responses.keys()
    assert set(over_limit["properties"]) == {"detail", "limit"}


def test_a_golden_answer_for_any_collection_is_documented_with_a_null_collection(schema):
    collection = schema["components"]["schemas"]["GoldenAnswerOutput"]["properties"]["collection"]

    assert collection["nullable"] is True


def test_the_handoff_endpoints_are_documented_for_scripts(schema):
    page = response_schema(schema, "/api/v1/handoffs/", "get", "200")
    row = schema["components"]["schemas"]["HandoffOutput"]["properties"]
    replies = schema["paths"]["/api/v1/handoffs/{id}/replies/"]["post"]["responses"]

    assert {"count", "next", "previous", "results"} <= page["properties"].keys()
    assert set(row) == {
        "id",
        "conversation_id",
        "status",
        "preferred_contact",
        "preferred_time",
        "assigned_to",
        "created_at",
    }
    assert {"201", "400", "403", "404", "409"} <= replies.keys()
    assert "patch" in schema["paths"]["/api/v1/handoffs/{id}/"]
    assert schema["components"]["schemas"]["MessageOutput"]["properties"]["author"]["nullable"] is True
