"""When the estimated incident happens: inside the plan's first policy year, at instants set by the data.

An estimate is made before the policy is bought, so the incident is hypothetical: it occurs and is
discovered ``incident_after_days`` after the policy start (at ``incident_time`` in the product's time
zone), an outage starts then, and a damages claim follows ``claim_after_days`` later. Only the dates of
the worksheet depend on this; an instant outside the policy year is a data error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mamori import calendar
from mamori.catalog import ProductDataError, ProductVersion
from mamori.claims import rules
from mamori.estimate.data import EstimateData

__all__ = ["Instants", "instants"]


@dataclass(frozen=True, slots=True)
class Instants:
    occurred_at: dt.datetime  # also the discovery and the outage start
    claim_made_at: dt.datetime
    indemnity_end_at: dt.datetime  # end of the BI indemnity period, from the outage start

    def indemnity_hours(self) -> int:
        """Whole hours from the outage start to the end of the indemnity period."""
        return int((self.indemnity_end_at - self.occurred_at).total_seconds()) // 3600


def instants(version: ProductVersion, start: dt.date, data: EstimateData) -> Instants:
    """The instants of the estimated incident for a policy starting on ``start``."""
    timeline = data.timeline
    day = start + dt.timedelta(days=timeline.incident_after_days)
    occurred_at = calendar.at_time(day, timeline.incident_time, version.tz)
    claim_made_at = occurred_at + dt.timedelta(days=timeline.claim_after_days)
    if not version.term_start_at(start) <= occurred_at < claim_made_at < version.term_end_at(start):
        raise ProductDataError("business.toml", "timeline", "P_TIMELINE")
    end = rules.indemnity_end(occurred_at, version.coverage.bi.indemnity_months)
    return Instants(occurred_at, claim_made_at, end)
