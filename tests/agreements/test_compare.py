from datetime import UTC, datetime

from accord.agreements import versions
from accord.agreements.content import compare_versions
from tests.conftest import NOW

from .conftest import HOUR, add_target, sign


def test_it_lists_what_changed_between_two_versions(draft_sla, slm, web_shop):
    v1 = sign(draft_sla.latest_version(), slm)
    add_target_p2 = {"metric": "resolution", "priority": "P2", "seconds": 8 * HOUR}
    v2 = versions.new_draft_version(
        draft_sla, by=slm, now=NOW, effective_from=datetime(2025, 4, 1, tzinfo=UTC),
        text="Acme terms, amended",
    )
    p1 = v2.targets.get(priority="P1")
    versions.update_target(p1, by=slm, now=NOW, duration_seconds=2 * HOUR,
                           warning_thresholds=[80])
    add_target(v2, slm, priority=add_target_p2["priority"], seconds=add_target_p2["seconds"])
    response = add_target(v2, slm, metric="response", priority="P1", seconds=HOUR)
    versions.delete_target(response, by=slm, now=NOW)

    diff = compare_versions(v1, v2)

    assert (diff["a"], diff["b"]) == (1, 2)
    assert diff["fields"]["text"] == ["Acme terms", "Acme terms, amended"]
    assert diff["fields"]["effective_from"] == [
        "2025-01-01T00:00:00+00:00", "2025-04-01T00:00:00+00:00"
    ]
    assert [t["priority"] for t in diff["targets"]["added"]] == ["P2"]
    assert diff["targets"]["removed"] == []
    [changed] = diff["targets"]["changed"]
    assert changed["key"] == {"metric": "resolution", "service": None, "ticket_type": "",
                              "priority": "P1"}
    assert changed["fields"] == {
        "duration_seconds": [4 * HOUR, 2 * HOUR],
        "warning_thresholds": [[50, 75, 90], [80]],
    }


def test_identical_versions_have_no_differences(draft_sla, slm):
    v1 = sign(draft_sla.latest_version(), slm)
    v2 = versions.new_draft_version(draft_sla, by=slm, now=NOW)
    versions.update_version(v2, by=slm, now=NOW, effective_from=v1.effective_from,
                            review_due=v1.review_due)

    diff = compare_versions(v1, v2)

    assert diff["fields"] == {}
    assert diff["targets"] == {"added": [], "removed": [], "changed": []}


def test_a_removed_target_is_reported(draft_sla, slm):
    v1 = sign(draft_sla.latest_version(), slm)
    v2 = versions.new_draft_version(draft_sla, by=slm, now=NOW)
    versions.delete_target(v2.targets.get(), by=slm, now=NOW)

    diff = compare_versions(v1, v2)

    assert [(t["metric"], t["priority"]) for t in diff["targets"]["removed"]] == [
        ("resolution", "P1")
    ]
