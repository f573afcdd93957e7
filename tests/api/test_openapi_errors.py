"""The OpenAPI document lists the error answers of every operation, with their shape (issue
14, finding 11), and the server's error bodies match that shape."""

import pytest

from accord.api import api as accord_api
from accord.lib.openapi import ApiError

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def schema():
    return accord_api.get_openapi_schema(path_prefix="/api/v1")


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_every_operation_documents_its_error_answers(schema):
    missing = []
    for path, method, operation in operations(schema):
        expected = {"401", "403", "422"}
        if "{" in path:
            expected.add("404")
        if method != "get":
            expected.add("409")
        documented = {str(status) for status in operation["responses"]}  # JSON keys are text
        if not expected <= documented:
            missing.append((method, path, sorted(expected - documented)))
    assert missing == []
    assert len(list(operations(schema))) > 50


def test_the_error_shape_is_a_component(schema):
    error = schema["components"]["schemas"]["ApiError"]
    assert error["required"] == ["detail"]
    some = schema["paths"]["/api/v1/tickets/{ticket_pk}"]["get"]["responses"]["404"]
    assert some["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ApiError"}


def test_the_answers_the_server_gives_match_the_documented_shape(api, reader, slm):
    answers = [
        api(None).get("me"),                                   # 401
        api(reader).post("services", {"name": "X"}),          # 403
        api(reader).get("tickets/999999"),                     # 404
        api(slm).post("services", {"name": 3}),               # 422 (schema)
        api(reader).get("tickets?stage=sleeping"),             # 422 (domain)
    ]

    assert [a.status_code for a in answers] == [401, 403, 404, 422, 422]
    for answer in answers:
        ApiError.model_validate(answer.data)
