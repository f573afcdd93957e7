"""A hand-written compliance report in the documented JSON shape (issue 9, "Interfaces"), so
the renderers can be tested on figures known in advance, without the database."""

import copy


def _row(target, name, metric, priority, version, met, breached, objective, *, excluded=0,
         open_=0, ended=0, credit=None, service="Web Shop"):
    counted = met + breached - excluded
    percent = None if met + breached == 0 else round(100 * met / counted, 2)
    return {
        "target": target, "name": name, "metric": metric, "service": service,
        "priority": priority, "objective_percent": objective, "version": version,
        "key": {"metric": metric, "service": service, "type": "incident", "priority": priority},
        "met": met, "breached": breached, "excluded": excluded, "open": open_, "ended": ended,
        "compliance_percent": percent,
        "compliance_percent_raw": None if met + breached == 0 else round(
            100 * met / (met + breached), 2),
        "objective_met": None if percent is None else percent >= objective,
        "shortfall": 0 if percent is None or percent >= objective else 1,
        "credit_due": credit,
    }


SAMPLE = {
    "agreement": "SLA-0001",
    "versions": [2, 3],
    "period": {"start": "2025-03-01T00:00:00+01:00", "end": "2025-04-01T00:00:00+02:00",
               "time_zone": "Europe/Berlin"},
    "targets": [
        _row(11, "P1 resolution", "resolution", "P1", 2, 18, 2, 95.0, open_=1,
             credit="250.00"),
        _row(12, "P2 response", "response", "P2", 2, 40, 0, 90.0),
        _row(21, "P1 resolution", "resolution", "P1", 3, 4, 0, 95.0),
        _row(13, "P3 resolution", "resolution", "P3", 2, 0, 0, 80.0),
    ],
    "availability": [
        {"target": 14, "service": "Web Shop", "target_percent": 99.5,
         "measured_percent": 99.81, "downtime_minutes": 84.0, "outages": 2, "met": True},
        {"target": 15, "service": "Payments", "target_percent": 99.9,
         "measured_percent": None, "downtime_minutes": 0.0, "outages": 0, "met": None},
    ],
    "kpis": {
        "targets_met_percent": 66.67, "objectives_missed": 1,
        "breaches_by_priority": {"P1": 2}, "breaches_by_metric": {"resolution": 2},
        "breaches_by_party": {"internal": 1, "supplier": 1, "customer": 0, "unattributed": 0},
        "services_with_current_sla_percent": 50.0, "agreements_review_overdue": 0,
        "time_to_agree_days_median": 12.5, "experience": None,
        "response_p50_seconds": 900.0, "response_p90_seconds": 3600.0,
        "resolution_p50_seconds": 14400.0, "resolution_p90_seconds": 28800.0,
        "open_at_risk": 3,
    },
    "attribution": [
        {"holder": "supplier Acme Hosting", "role": "supplier", "name": "Acme Hosting",
         "business_seconds": 3600.0, "breaches_mostly_held": 1},
        {"holder": "team Network", "role": "team", "name": "Network",
         "business_seconds": 7200.0, "breaches_mostly_held": 1},
    ],
    "credits_total": "250.00", "credits_uncapped": "250.00", "currency": "EUR",
}


def sample_report() -> dict:
    return copy.deepcopy(SAMPLE)

