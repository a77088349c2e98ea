"""Checks that each Parquet table the workbench offers holds exactly its CSV twin's cells, as
pandas reads them: argv[1] is the folder, the rest are the tables' names without extension."""

import sys

import numpy as np
import pandas as pd


def unguarded(text):
    """A CSV cell without the quote linli puts before a leading =, +, -, @ for spreadsheets."""
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return text[1:]
    return text


def same(text, value):
    """Whether a CSV cell (text) and a Parquet value agree; an empty cell is a null."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return text == ""
    if isinstance(value, (bool, np.bool_)):
        return text == ("true" if value else "false")
    if isinstance(value, (int, np.integer)):
        return int(text) == value
    if isinstance(value, float):
        return float(text) == value
    return unguarded(text) == value


folder = sys.argv[1]
for stem in sys.argv[2:]:
    csv = pd.read_csv(f"{folder}/{stem}.csv", keep_default_na=False, dtype=str)
    parquet = pd.read_parquet(f"{folder}/{stem}.parquet")
    assert list(csv.columns) == list(parquet.columns), (stem, list(parquet.columns))
    assert len(csv) == len(parquet) > 0, (stem, len(csv), len(parquet))
    for column in csv.columns:
        for row, (text, value) in enumerate(zip(csv[column], parquet[column])):
            assert same(text, value), (stem, column, row, text, value)
    print(f"{stem}: {len(csv)} rows agree")
