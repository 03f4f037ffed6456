"""Saved quotes: every input, the product version and content hash, the decision and each factor."""
