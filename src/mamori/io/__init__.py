"""Reading and writing files for the use cases: tables (CSV/Parquet, encodings, atomic output) and strict JSON.

The domain never reads a file; the use cases read with this package and hand values to the domain.
"""
