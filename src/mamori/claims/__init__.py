"""Claim calculation (保険金の算定): the document, its validation, the rules, the pipeline and the answer.

- :mod:`~mamori.claims.schema` — the claim-calculation document as one strict pydantic schema;
- :mod:`~mamori.claims.document` — validation against the schema and the product version;
- :mod:`~mamori.claims.rules` — one pure function per rule of product.md §3;
- :mod:`~mamori.claims.pipeline` — the calculation, step by step in the order of §3.6;
- :mod:`~mamori.claims.result`, :mod:`~mamori.claims.answer` — the result as values, as JSON and as text.

No I/O: the use cases read documents (:mod:`mamori.io.jsonio`) and hand them here.
"""
