"""accord import feedback FILE: CSV plain or gzip, the event import's JSON summary, per-row
errors with line numbers, idempotent re-import."""

import gzip
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accord.experience.models import Feedback

pytestmark = pytest.mark.django_db

HEADER = ("source,id,ticket_id,ticket_source,service,customer,timestamp,kind,score,scale,text,"
          "respondent,channel\n")
CSV = HEADER + """\
nps-tool,1,,,Web Shop,Acme,2025-03-02T10:00:00+09:00,nps,9,,Great shop,ann@acme.test,email
nps-tool,2,,,Web Shop,Acme,2025-03-02T11:00:00+09:00,csat,7,,too high,,email
nps-tool,3,,,Web Shop,Acme,2025-03-02T12:00:00,comment,,,no offset,,email
nps-tool,4,,,Web Shop,Acme,2025-03-02T13:00:00Z,complaint,,,"Slow, again",,phone
"""


def run(path, *args) -> dict:
    out = StringIO()
    call_command("import", "feedback", str(path), "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_it_imports_a_csv_and_names_rejected_lines(tmp_path, world):
    path = tmp_path / "feedback.csv"
    path.write_text(CSV)
    summary = run(path)
    assert (summary["stored"], summary["duplicates"], summary["rejected"], summary["rows"]) == (
        2, 0, 2, 4)
    assert summary["format"] == "feedback" and summary["path"] == str(path)
    where = {e["where"]: e["errors"][0]["field"] for e in summary["errors"]}
    assert where == {"line 3": "score", "line 4": "timestamp"}
    assert Feedback.objects.get(feedback_id="4").text == "Slow, again"
    again = run(path)
    assert (again["stored"], again["duplicates"], again["rejected"]) == (0, 2, 2)


def test_it_reads_gzip_and_reports_conflicts(tmp_path, world):
    plain = tmp_path / "a.csv"
    plain.write_text(CSV)
    run(plain)
    changed = tmp_path / "b.csv.gz"
    with gzip.open(changed, "wt") as f:
        f.write(CSV.replace("Great shop", "Great shop (edited)"))
    summary = run(changed)
    assert (summary["stored"], summary["duplicates"], summary["conflicts"]) == (0, 1, 1)
    assert Feedback.objects.get(feedback_id="1").text == "Great shop"


def test_an_unusable_file_is_a_clear_error(tmp_path, world):
    path = tmp_path / "bad.csv"
    path.write_text("who,what\n1,2\n")
    with pytest.raises(CommandError, match="id"):
        run(path)
    with pytest.raises(CommandError, match="cannot read"):
        run(tmp_path / "missing.csv")
