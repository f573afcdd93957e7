"""Properties of the version diff, on plain contents (no database)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.agreements.content import TARGET_CONTENT, diff_contents, target_key

targets = st.lists(
    st.fixed_dictionaries({
        "metric": st.sampled_from(["response", "resolution", "availability"]),
        "service": st.sampled_from([None, 1, 2]),
        "ticket_type": st.sampled_from(["", "incident"]),
        "priority": st.sampled_from(["", "P1", "P2"]),
        "duration_seconds": st.integers(1, 10**6),
        "name": st.text(max_size=5),
    }).map(lambda t: {name: t.get(name) for name in TARGET_CONTENT}),
    max_size=6,
    unique_by=target_key,
)
contents = st.fixed_dictionaries({
    "text": st.text(max_size=10), "change_summary": st.just(""),
    "effective_from": st.sampled_from(["2025-01-01T00:00:00+00:00", None]),
    "effective_to": st.none(), "review_due": st.none(), "targets": targets,
})


@settings(max_examples=60, deadline=None)
@given(contents, contents)
def test_the_diff_runs_both_ways_and_is_empty_for_equal_contents(a, b):
    forward, backward = diff_contents(a, b), diff_contents(b, a)

    keys = lambda items: sorted(map(target_key, items), key=repr)  # noqa: E731
    assert keys(forward["targets"]["added"]) == keys(backward["targets"]["removed"])
    assert keys(forward["targets"]["removed"]) == keys(backward["targets"]["added"])
    assert {k: v[::-1] for k, v in forward["fields"].items()} == backward["fields"]
    assert len(forward["targets"]["changed"]) == len(backward["targets"]["changed"])
    assert diff_contents(a, a) == {"fields": {}, "targets": {"added": [], "removed": [],
                                                             "changed": []}}


@settings(max_examples=60, deadline=None)
@given(contents, contents)
def test_applying_the_diff_turns_one_content_into_the_other(a, b):
    diff = diff_contents(a, b)["targets"]
    result = {target_key(t): dict(t) for t in a["targets"]}
    for t in diff["removed"]:
        del result[target_key(t)]
    for t in diff["added"]:
        result[target_key(t)] = t
    for change in diff["changed"]:
        key = tuple(change["key"].values())
        for name, (_, new) in change["fields"].items():
            result[key][name] = new

    assert result == {target_key(t): t for t in b["targets"]}
