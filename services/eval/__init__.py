"""The eval API service: benchmarks run as persisted, cancellable jobs with progress."""
