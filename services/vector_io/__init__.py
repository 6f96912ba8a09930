"""Vector IO: store and search chunks of registered vector databases."""
