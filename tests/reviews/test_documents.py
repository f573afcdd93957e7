"""/api/v1/documents: versioned attachments stored through Django's storage under names
Accord makes; type and size checked; access follows the owning object (a customer sees their
agreement's documents, not another customer's; actions are internal)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accord.accounts import services as account_services
from accord.catalogue.models import Customer
from accord.reviews.models import Document, DocumentVersion

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.ACCORD_DOCUMENTS_DIR = str(tmp_path / "docs")
    return tmp_path / "docs"


def bearer(user, scope="write"):
    _, raw = account_services.create_token(user, "t", scope)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def upload(client, user, name="signed.pdf", content=PDF, **fields):
    data = {"file": SimpleUploadedFile(name, content), "kind": "signed_agreement", **fields}
    return client.post("/api/v1/documents", data, **bearer(user))


def test_it_stores_versions_under_its_own_names(client, gov, analyst, api, _storage):
    made = upload(client, analyst, name="../../etc/passwd.pdf", agreement=gov["sla"].pk,
                  title="Signed SLA")
    assert made.status_code == 201, made.content
    doc = made.json()
    assert doc["versions"][0]["original_name"] == "passwd.pdf"
    stored = DocumentVersion.objects.get()
    assert stored.file.name.startswith(f"{doc['id']}/") and ".." not in stored.file.name
    assert (_storage / stored.file.name).read_bytes() == PDF
    again = client.post(f"/api/v1/documents/{doc['id']}/versions",
                        {"file": SimpleUploadedFile("v2.pdf", PDF + b"%v2")}, **bearer(analyst))
    assert again.status_code == 201 and [v["number"] for v in again.json()["versions"]] == [1, 2]
    latest = client.get(f"/api/v1/documents/{doc['id']}/download", **bearer(analyst))
    assert b"".join(latest.streaming_content).endswith(b"%v2")
    first = client.get(f"/api/v1/documents/{doc['id']}/download?version=1", **bearer(analyst))
    assert b"".join(first.streaming_content) == PDF


@pytest.mark.parametrize("name, content", [
    ("script.exe", b"MZ..."), ("fake.pdf", b"<html>"), ("notes.txt", b"\xff\xfe\x00"),
    ("empty.pdf", b"")])
def test_it_refuses_other_types_and_stores_nothing(client, gov, analyst, name, content,
                                                   _storage):
    answer = upload(client, analyst, name=name, content=content, agreement=gov["sla"].pk)
    assert answer.status_code == 422 and "file" in str(answer.json()["detail"])
    assert not Document.objects.exists() and not _storage.exists()


def test_it_refuses_a_file_too_large(client, gov, analyst, settings):
    settings.ACCORD_DOCUMENT_MAX_BYTES = 100
    answer = upload(client, analyst, content=PDF + b"x" * 200, agreement=gov["sla"].pk)
    assert answer.status_code == 422 and "larger" in str(answer.json()["detail"])


def test_a_customer_sees_only_their_agreements_documents(client, gov, analyst, slm,
                                                         customer_user):
    gov["acme"].contacts.add(customer_user)
    mine = upload(client, analyst, agreement=gov["sla"].pk).json()
    action = client.post("/api/v1/actions", {"title": "x", "owner": "sam", "due": "2025-05-01"},
                         content_type="application/json", **bearer(slm)).json()
    internal = upload(client, analyst, name="proof.pdf", kind="evidence",
                      action=action["id"]).json()
    other_customer = Customer.objects.create(name="Globex")
    from accord.agreements import services
    from tests.conftest import NOW
    other = services.create_agreement(by=slm, now=NOW, name="Globex SLA", kind="sla",
                                      structure="customer_based", customer=other_customer)
    theirs = upload(client, analyst, agreement=other.pk).json()
    seen = client.get("/api/v1/documents", **bearer(customer_user)).json()
    assert [d["id"] for d in seen["items"]] == [mine["id"]]
    for doc in (internal, theirs):
        assert client.get(f"/api/v1/documents/{doc['id']}", **bearer(customer_user)
                          ).status_code == 404
        assert client.get(f"/api/v1/documents/{doc['id']}/download", **bearer(customer_user)
                          ).status_code == 404
    assert client.get(f"/api/v1/documents/{mine['id']}/download", **bearer(customer_user)
                      ).status_code == 200
    # Portal users and readers do not upload.
    assert upload(client, customer_user, agreement=gov["sla"].pk).status_code == 403


def test_closing_an_action_names_its_documents(client, gov, analyst, slm, api):
    action = api(slm).post("actions", {"title": "x", "owner": "sam", "due": "2025-05-01"}).data
    doc = upload(client, analyst, name="proof.pdf", kind="evidence", action=action["id"]).json()
    stray = upload(client, analyst, agreement=gov["sla"].pk).json()
    bad = api(slm).post(f"actions/{action['id']}/close", {"evidence": "see proof",
                                                          "documents": [stray["id"]]})
    assert bad.status_code == 422 and "documents" in str(bad.data["detail"])
    done = api(slm).post(f"actions/{action['id']}/close", {"evidence": "see proof",
                                                           "documents": [doc["id"]]})
    assert done.status_code == 200 and f"#{doc['id']}" in done.data["evidence"]
