"""The portfolio page (administrators): simulate the in-force book, see the figures and the plots of a run."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from mamori.authority import Action
from mamori.errors import InvalidInput
from mamori.web.pages.views import action_required, errors_by_field, lang
from mamori.web.portfolio import selectors, services
from mamori.web.portfolio.models import PortfolioJob, PortfolioPlot
from mamori.web.productdb import selectors as productdb

RETURN_PERIODS = ("10", "100", "200", "250")


def _reinsurance(answer: dict[str, Any]) -> dict[str, Any] | None:
    """Gross, ceded and net side by side (a run with a treaty): a row per figure, a column per view."""
    if "net" not in answer:
        return None
    views = ("gross", "ceded", "net")

    def row(label: str, pick: Any) -> dict[str, Any]:
        return {"label": label, **{v: pick(answer[v]) for v in views}}

    rows = [row(_("Average annual loss (AAL)"), lambda f: f["aal"])]
    rows += [row(_("1 in %(years)s years (aggregate)") % {"years": t}, lambda f, t=t: f["aep"].get(t))
             for t in RETURN_PERIODS]  # fmt: skip
    rows += [row(_("1 in %(years)s years (largest event)") % {"years": t}, lambda f, t=t: f["oep"].get(t))
             for t in RETURN_PERIODS]  # fmt: skip
    rows += [
        row(f"TVaR {level} %", lambda f, level=level: f["tvar"].get(level)) for level in sorted(answer["net"]["tvar"])
    ]
    treaty = answer.get("treaty", {})
    return {
        "name": treaty.get("ja" if lang() == "ja" else "en", treaty.get("name", "")),
        "treaty": treaty,
        "rows": rows,
    }


def _figures(answer: dict[str, Any], industries: dict[str, str]) -> dict[str, Any]:
    """The answer as the page shows it: return periods in rows, industries by name."""
    return {
        "reinsurance": _reinsurance(answer),
        "periods": [
            {
                "years": t,
                "label": _("1 in %(years)s years") % {"years": t},
                "aep": answer["aep"].get(t),
                "oep": answer["oep"].get(t),
            }
            for t in RETURN_PERIODS
        ],
        "tvar": sorted(answer.get("tvar", {}).items()),
        "industries": [
            {"code": code, "name": industries.get(code, code), **row}
            for code, row in sorted(answer.get("by_industry", {}).items(), key=lambda kv: -int(kv[1].get("aal", 0)))
        ],
    }


@action_required(Action.PORTFOLIO)
def portfolio(request: HttpRequest) -> HttpResponse:
    """The runs so far, and a form to simulate the book as it is now (POST: run, then show it)."""
    errors: dict[str, list[str]] = {}
    typed = {"years": "20000", "seed": "", "treaty": ""}
    if request.method == "POST":
        typed = {k: request.POST.get(k, "") for k in typed}
        try:
            job = services.portfolio_request(
                user=request.user, years=typed["years"], seed=typed["seed"], treaty=typed["treaty"]
            )
        except InvalidInput as exc:
            errors = errors_by_field(exc.errors)
        else:
            if job.run_id is not None:  # run already (tasks run where enqueued: MAMORI_TASKS=immediate)
                return redirect("pages:portfolio-run", run_id=job.run_id)
            return redirect("pages:portfolio-job", job_id=job.pk)
    in_force_now, starting_later = selectors.book_counts(today=productdb.catalog().latest().today())
    context = {
        "jobs": selectors.jobs_visible(request.user).exclude(status=PortfolioJob.Status.DONE)[:20],
        "runs": selectors.runs_visible(request.user)[:50],
        "policies": in_force_now,
        "starting_later": starting_later,
        "values": typed,
        "errors": errors,
        "years_range": services.YEARS_RANGE,
        "treaties": [(name, t.label(lang())) for name, t in selectors.treaties().items()],
    }
    return render(request, "mamori/portfolio.html", context, status=422 if errors else 200)


@action_required(Action.PORTFOLIO)
def portfolio_job(request: HttpRequest, job_id: Any) -> HttpResponse:
    """A run asked for: its progress while a worker runs it (htmx asks again every two seconds), the run
    once answered."""
    job = selectors.jobs_visible(request.user).filter(pk=job_id).first()
    if job is None:
        raise Http404
    if job.run_id is not None:
        target = reverse("pages:portfolio-run", kwargs={"run_id": job.run_id})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    template = "mamori/_portfolio_job.html" if request.headers.get("HX-Request") else "mamori/portfolio_job.html"
    return render(request, template, {"job": job})


@action_required(Action.PORTFOLIO)
def portfolio_run(request: HttpRequest, run_id: Any) -> HttpResponse:
    run = selectors.runs_visible(request.user).filter(pk=run_id).first()
    if run is None:
        raise Http404
    from mamori.web.productdb import selectors as productdb

    version = productdb.catalog().get(run.product_version)
    names = {code: ic.name(lang()) for code, ic in version.rating.industries.items()}
    context = {"run": run, "answer": run.answer, "figures": _figures(run.answer, names), "lang": lang()}
    return render(request, "mamori/portfolio_run.html", context)


@action_required(Action.PORTFOLIO)
def portfolio_plot(request: HttpRequest, run_id: Any, name: str) -> HttpResponse:
    run = selectors.runs_visible(request.user).filter(pk=run_id).first()
    plot = PortfolioPlot.objects.filter(run=run, name=name, lang=lang()).first() if run is not None else None
    if plot is None:
        raise Http404
    response = HttpResponse(bytes(plot.png), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response
