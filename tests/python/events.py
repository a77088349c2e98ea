"""Reads linli's event log with pandas (pyarrow) and checks it against timeseries.csv.

Usage: python3 tests/python/events.py OUTPUT_FOLDER. Exits non-zero on any mismatch; run by
tests/it/agents.rs, so a missing pandas or pyarrow fails the test suite instead of skipping.
"""

import json
import math
import sys
from pathlib import Path

import pandas as pd

folder = Path(sys.argv[1])
events = pd.read_parquet(folder / "events.parquet", engine="pyarrow")
timeseries = pd.read_csv(folder / "timeseries.csv")

# Volunteer check-ins and points earned, per replicate, day and cohort, from the events ...
keys = ["replicate", "day", "cohort"]
checkins = events[events.kind == "volunteered"].groupby(keys).size().rename("checkins")
earned = events[events.kind == "points_earned"].groupby(keys)["value"].sum().rename("earned")

# ... equal the daily counts of timeseries.csv.
daily = timeseries.set_index(keys)
daily["volunteers"] = (daily.volunteer_rate * daily.residents).round().astype(int)
joined = daily[["volunteers", "points_issued"]].join([checkins, earned]).fillna(0)
assert (joined.volunteers == joined.checkins).all(), "check-ins differ from timeseries.csv"
assert (joined.points_issued == joined.earned).all(), "points earned differ from timeseries.csv"

# A measure from individual data, as summary.json reports it: the share of check-ins made by
# the most active fifth of volunteers (the top ceil(n/5)), per replicate, then the mean.
per_volunteer = events[events.kind == "volunteered"].groupby(["replicate", "resident"]).size()
def top_fifth_share(counts):
    counts = counts.sort_values(ascending=False)
    return counts.iloc[: math.ceil(len(counts) / 5)].sum() / counts.sum()
shares = per_volunteer.groupby(level="replicate").apply(top_fifth_share)
summary = json.loads((folder / "summary.json").read_text())
def reported(measure):
    found = [e for e in summary["measures"]["estimates"] if e["measure"] == measure and e["group"] == "all"]
    return found[0]["mean"]
assert abs(shares.mean() - reported("volunteering_top20_share")) < 1e-9, (shares.mean(), reported("volunteering_top20_share"))

# residents.parquet: one row per resident and year lived here; its check-ins add up to the
# events', and the share who ever volunteered is summary.json's.
residents = pd.read_parquet(folder / "residents.parquet", engine="pyarrow")
assert not residents.duplicated(["replicate", "resident", "year"]).any(), "one row per resident and year"
date_of_day = timeseries.drop_duplicates("day").set_index("day").date
events["year"] = pd.to_datetime(events.day.map(date_of_day)).dt.year
from_events = events[events.kind == "volunteered"].groupby(["replicate", "resident", "year"]).size()
from_table = residents.set_index(["replicate", "resident", "year"]).volunteered
from_table = from_table[from_table > 0]
assert from_events.sort_index().equals(from_table.sort_index().astype(from_events.dtype)), "check-ins per resident-year"
ever = residents.groupby(["replicate", "resident"]).volunteered.sum().gt(0).groupby(level="replicate").mean()
assert abs(ever.mean() - reported("ever_volunteered")) < 1e-9, (ever.mean(), reported("ever_volunteered"))
print(f"{len(events)} events, {len(residents)} resident-years; the top fifth of volunteers made "
      f"{shares.mean():.0%} of check-ins, as summary.json says")
