"""The dataset IO API service: rows of registered datasets, read in pages and appended to."""
