"""`inline::basic`: exact, substring and regex-parsed answer checks."""
