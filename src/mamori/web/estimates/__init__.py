"""The loss estimator on the web (想定損害額, product.md §7): a public page and ``POST /api/v1/estimates``.

Thin over :func:`mamori.usecases.estimate.estimate_loss` with the web application's product catalogue:
the page and the API show the same answer as ``mamori estimate --json`` (interfaces.md §1.5).
"""
