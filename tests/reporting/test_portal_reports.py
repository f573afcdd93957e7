"""Portal users reach exactly their own agreements' reports: a supplier its UCs, never the
SLA or OLA beside them."""

from accord.accounts.services import create_user
from tests.measurement.clock_world import world_fixture  # noqa: F401


def test_a_supplier_reads_its_uc_report_and_no_other(client, world):
    hugo = create_user("hugo", role="supplier", password="pw")
    world["vendor"].contacts.add(hugo)
    client.force_login(hugo)

    assert client.get(f"/reports/{world['uc'].pk}/2025-03.json").status_code == 200
    assert client.get(f"/reports/{world['uc'].pk}/2025-03.pdf").status_code == 200
    for other in ("sla", "ola"):
        assert client.get(f"/reports/{world[other].pk}/2025-03.pdf").status_code == 404
        assert client.get(f"/reports/?agreement={world[other].pk}&period=2025-03"
                          ).status_code == 404
    html = client.get("/reports/").content.decode()
    assert world["uc"].reference in html and world["sla"].reference not in html
