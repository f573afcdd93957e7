"""Agreements as code: export → apply → export round trip, validation errors naming their
path in the file, diff, schema, and never touching a signed version."""

import io
import json

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from accord.agreements.models import AgreementVersion
from accord.catalogue.models import Calendar
from accord.planning import ascode, ascode_apply
from accord.planning.ascode import day_seconds, parse_duration
from tests.conftest import NOW
from tests.reporting.conftest import HOUR

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("agreements", *args, stdout=out)
    return out.getvalue()


def _without_origin(text: str) -> dict:
    data = yaml.safe_load(text)
    for key in ("reference", "version", "status"):
        data.pop(key)
    return data


def test_export_apply_export_round_trips(world, tmp_path):
    sla = world["sla"]
    office = Calendar.objects.create(name="Office", tz="Europe/London",
                                     hours={"mon": [["09:00", "17:00"]]})
    signed = AgreementVersion.objects.get(agreement=sla, number=1)
    first = tmp_path / "sla.yaml"
    run("export", sla.reference, "--output", str(first))
    text = first.read_text()
    assert "duration: 4h" in text and "customer: Acme" in text and "Web Shop" in text
    data = yaml.safe_load(text)
    data["targets"][0]["calendar"] = office.name
    data["targets"][0]["duration"] = "PT4H"  # ISO 8601 reads the same
    first.write_text(yaml.safe_dump(data, sort_keys=False))

    assert "v2 (draft)" in run("apply", str(first))

    second = run("export", sla.reference, "--version", "2")
    assert _without_origin(second) == _without_origin(ascode.dump(data).replace(
        "PT4H", "4h"))
    assert yaml.safe_load(second)["status"] == "draft"
    assert AgreementVersion.objects.get(pk=signed.pk).frozen_at is not None  # untouched
    assert signed.targets.count() == 2
    # Applying the same file again updates the draft in place: no v3.
    run("apply", str(first))
    assert sla.versions.count() == 2
    assert run("diff", str(first)).strip() == "no changes"


def test_validate_names_each_error_by_its_path(world, tmp_path):
    data = ascode.export_version(world["sla"].latest_version())
    data["targets"][1]["duration"] = "four hours"
    data["targets"][0]["metric"] = "speed"
    data["customer"] = "Nobody Ltd"
    bad = tmp_path / "bad.yaml"
    bad.write_text(ascode.dump(data))

    with pytest.raises(CommandError) as raised:
        run("validate", str(bad))

    assert "targets[0].metric:" in str(raised.value)
    data["targets"][0]["metric"] = "resolution"
    data["targets"].append({"metric": "resolution", "priority": "P3", "duration": "0m"})
    bad.write_text(ascode.dump(data))
    with pytest.raises(CommandError) as raised:
        run("validate", str(bad))
    message = str(raised.value)
    assert "targets[1].duration:" in message and "four hours" in message
    assert "targets[2].duration:" in message
    assert "customer: no customer named 'Nobody Ltd'" in message
    assert world["sla"].versions.count() == 1  # nothing written
    plan = ascode_apply.validate({**data, "targets": [{"metric": "resolution"}]})
    assert any(e.startswith("targets[0].duration:") for e in plan.errors)  # engine rules


def test_diff_says_what_apply_would_change(world, tmp_path):
    data = ascode.export_version(world["sla"].latest_version())
    data["targets"][0]["duration"] = "2h"
    data["targets"].append({"metric": "response", "duration": "30m"})
    path = tmp_path / "sla.yaml"
    path.write_text(ascode.dump(data))

    lines = run("diff", str(path)).splitlines()

    assert "targets[0].duration: '4h' → '2h'" in lines
    assert "targets[2]: added (response)" in lines
    assert world["sla"].versions.count() == 1


def test_a_new_reference_creates_a_draft_agreement(world, tmp_path):
    data = ascode.export_version(world["sla"].latest_version())
    data.update(reference=None, name="Acme Web Shop 2026")
    draft = ascode_apply.apply(data, by=None, now=NOW)
    assert draft.number == 1 and draft.frozen_at is None
    assert draft.agreement.name == "Acme Web Shop 2026" and draft.targets.count() == 2


def test_durations_and_schema():
    office = Calendar(name="x", hours={"mon": [["09:00", "17:00"]], "tue": [["09:00", "12:00"]]})
    assert parse_duration("4h", 86400) == 4 * HOUR
    assert parse_duration("90m", 86400) == 90 * 60
    assert parse_duration("2d", day_seconds(office)) == 16 * HOUR  # the calendar's days
    assert parse_duration("2d", day_seconds(None)) == 48 * HOUR
    assert parse_duration("PT4H", 86400) == 4 * HOUR
    assert parse_duration("PT1H30M", 86400) == 90 * 60
    for bad in ("4", 4, "h", "PT", "-4h", "4x"):
        with pytest.raises(ValueError):
            parse_duration(bad, 86400)
    published = json.loads(run("schema"))
    assert published["properties"]["targets"]["items"]["properties"]["duration"]
