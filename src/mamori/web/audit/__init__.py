"""The audit log: every state change — who, when, what, before → after — in one place."""
