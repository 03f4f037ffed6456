"""Claims handling: a claim opened from an incident, cost lines with evidence, the core's calculation as the
worksheet, decisions, reserves, and payments against the append-only claims ledger (four eyes above a threshold)."""
