"""`inline::localfs`: datasets in files under a root directory, `data:` URIs and inline rows."""
