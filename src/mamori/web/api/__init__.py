"""The REST API (/api/v1, interfaces.md §2) on django-ninja: routers, schemas, auth, errors, idempotency."""
