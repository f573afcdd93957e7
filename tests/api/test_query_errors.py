"""A domain error about a query parameter says it is in the query: ``loc: ["query", name]``,
never ``["body", name]`` (a GET has no body). The API locates the field from the operation's
own parameters, so every endpoint gets it right without saying so itself."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("url", "loc"), [
    ("reports/compliance?month=2025-03", ["query", "agreement"]),
    ("reports/kpis?month=March", ["query", "month"]),
    ("availability?period=2025", ["query", "period"]),
    ("actions?status=sleeping", ["query", "status"]),
    ("actions?source=rumour", ["query", "source"]),
    ("reviews?kind=party", ["query", "kind"]),
    ("plans?status=dreaming", ["query", "status"]),
    ("risks?status=unknown", ["query", "status"]),
    ("exclusions?status=maybe", ["query", "status"]),
    ("breaches/plan-candidates?minimum=0", ["query", "minimum"]),
    ("feedback?limit=5000", ["query", "limit"]),
    ("feedback?since=2025-03-01T00:00", ["query", "since"]),
])
def test_a_bad_query_parameter_is_located_in_the_query(slm, api, url, loc):
    response = api(slm).get(url)

    assert response.status_code == 422, response.data
    assert response.data["detail"][0]["loc"] == loc
    assert loc[1] in response.data["detail"][0]["msg"]


def test_a_bad_body_field_is_still_located_in_the_body(slm, api):
    # The same field name in a body stays a body field.
    response = api(slm).post("services", {"name": " "})

    assert response.status_code == 422
    assert response.data["detail"][0]["loc"] == ["body", "name"]
