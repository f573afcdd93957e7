"""What the schemathesis run found beyond issue 14's list: answers that were a 500 or a code
the operation does not document."""

import pytest

from accord.accounts import services
from accord.catalogue.models import Calendar

pytestmark = pytest.mark.django_db


def test_an_unknown_agreement_in_the_priority_matrix_body_names_the_field(admin_user, api):
    response = api(admin_user).put("priority-matrix", {"agreement": 999999, "cells": []})

    assert response.status_code == 422
    assert response.data["detail"][0]["loc"][-1] == "agreement"


def test_a_multipart_upload_without_a_boundary_is_a_422_naming_the_file(admin_user, client):
    calendar = Calendar.objects.create(name="24x7", tz="UTC", always_open=True)
    _, token = services.create_token(admin_user, "t", "write")

    response = client.post(f"/api/v1/calendars/{calendar.pk}/ical", data=b"x",
                           content_type="multipart/form-data",
                           HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "file"


def test_an_unknown_agreement_in_the_priority_matrix_query_names_the_field(reader, api):
    response = api(reader).get("priority-matrix?agreement=999999")

    assert response.status_code == 422
    assert response.data["detail"][0]["loc"][-1] == "agreement"
