"""The portfolio risk engine: what a whole book of policies can lose in a year, on the product's own terms.

- :mod:`~mamori.portfolio.model` — the loss model as data (TOML): frequency with relativities, ground-up
  severity per section, the catalogue of systemic events, the pricing loading; ``models/`` holds the
  reference model (every value illustrative, with its reasoning);
- :mod:`~mamori.portfolio.book` — a book of policies as checked columns;
- :mod:`~mamori.portfolio.terms` — product.md §3.6 applied to arrays of accidents, the layout read from the
  product's coverage terms (one definition with the claim calculation's rules, held equal by a property test);
- :mod:`~mamori.portfolio.treaty` — a reinsurance treaty as data (TOML, product.md §8.4): quota share, per-risk
  and per-event excess of loss, aggregate stop loss; ``treaties/`` holds the sample (illustrative);
- :mod:`~mamori.portfolio.kernel` / :mod:`~mamori.portfolio.engine` — blocks of simulated years (numba), each
  from random streams of its own, so a seed gives one answer whatever runs it;
- :mod:`~mamori.portfolio.runner` — the blocks on Dask: a local cluster, or an existing one by address;
- :mod:`~mamori.portfolio.metrics` — AAL, AEP/OEP at return periods, TVaR (gross, ceded and net of a treaty),
  loss by industry and section, technical against charged premium;
- :mod:`~mamori.portfolio.plots` (EP curves, loss by industry, PNG) and :mod:`~mamori.portfolio.oed` (the book
  as Oasis OED).

Framework-free: numpy, numba, pyarrow, Dask and matplotlib, never Django. The use cases are in
:mod:`mamori.usecases.portfolio`. Importing this package imports none of its modules: the engine's (numba,
Dask) load only when a simulation runs.
"""
