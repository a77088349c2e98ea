"""Reads linli's event log with pandas (pyarrow) and checks it against timeseries.csv.

Usage: python3 tests/python/events.py OUTPUT_FOLDER. Exits non-zero on any mismatch; run by
tests/it/agents.rs, so a missing pandas or pyarrow fails the test suite instead of skipping.
"""

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

# A measure from individual data: the share of check-ins made by the most active fifth of
# volunteers (per replicate), which no aggregate output can give.
per_volunteer = events[events.kind == "volunteered"].groupby(["replicate", "resident"]).size()
def top_fifth_share(counts):
    counts = counts.sort_values(ascending=False)
    top = max(1, round(len(counts) / 5))
    return counts.iloc[:top].sum() / counts.sum()
shares = per_volunteer.groupby(level="replicate").apply(top_fifth_share)
assert ((shares >= 0.2) & (shares <= 1.0)).all(), shares
print(f"{len(events)} events; the top fifth of volunteers made {shares.mean():.0%} of check-ins")
