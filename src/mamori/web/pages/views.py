"""Server-rendered pages. Each view reads the form, calls a service or a selector, and renders; an input
error is shown next to its field with everything the user entered kept; nothing is saved then."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mamori import authority, i18n, usecases
from mamori.authority import Action
from mamori.errors import FieldError, InvalidInput
from mamori.policy.errors import IllegalTransition
from mamori.web import paging
from mamori.web.accounts import roles
from mamori.web.accounts import selectors as accounts
from mamori.web.applications import selectors as application_selectors
from mamori.web.applications import services as application_services
from mamori.web.audit import selectors as audit_selectors
from mamori.web.billing.models import Payment
from mamori.web.errors import Conflict, Forbidden, NotFound
from mamori.web.pages import forms
from mamori.web.policies import selectors as policy_selectors
from mamori.web.policies import services as policy_services
from mamori.web.policies.models import ChangeRequest, Policy
from mamori.web.productdb import selectors as productdb
from mamori.web.quotes import selectors as quote_selectors
from mamori.web.quotes import services as quote_services
from mamori.web.quotes.models import Quote
from mamori.web.servicing import selectors as servicing_selectors
from mamori.web.servicing import services as servicing

View = Callable[..., HttpResponse]


def lang() -> i18n.Lang:
    return i18n.as_lang(get_language())


def errors_by_field(errors: list[FieldError] | tuple[FieldError, ...]) -> dict[str, list[str]]:
    """Messages by field, for showing each next to its input (general ones under ``__all__``)."""
    shown: dict[str, list[str]] = {}
    for error in errors:
        shown.setdefault(error.field if error.field not in ("$", "") else "general", []).append(
            error.message(lang(), plain=True)
        )
    return shown


def action_required(*actions: Action) -> Callable[[View], View]:
    """The page serves ``actions``: a user whose roles hold none of them (the authority table) gets 403."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            held = accounts.subject_of(request.user).roles
            if not any(held & authority.roles_for(action) for action in actions):
                return render(request, "mamori/error.html", {"message": _("You may not open this page.")}, status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def say_refused(request: HttpRequest, exc: Exception) -> None:
    """Why an action was refused — bad input (every problem, in the reader's language), a state that does
    not allow it, or a role that may not take it — as the page's message."""
    if isinstance(exc, InvalidInput):
        messages.error(request, " ".join(exc.messages(lang(), plain=True)))
    elif isinstance(exc, Conflict | Forbidden):
        messages.error(request, exc.error.message(lang(), plain=True))
    elif isinstance(exc, IllegalTransition):
        messages.error(request, _("This is not possible in the current state."))


def refused(request: HttpRequest, exc: Exception, back: str) -> HttpResponse:
    """An action refused: say why (:func:`say_refused`) and go back to ``back``."""
    say_refused(request, exc)
    return redirect(back)


# ------------------------------------------------------------------------------------------ public


def published(lang_: i18n.Lang) -> tuple[Any, list[dict[str, Any]]]:
    """The product page's table, re-rated, with the class names in the reader's language."""
    version, table = usecases.published_table(productdb.catalog())
    r = version.rating
    rows = [
        {
            "name": r.industries[row["industry"]].name(lang_),
            "low": row[str(r.reference_revenue)],
            "high": row[str(r.upper_anchor_revenue)],
        }
        for row in table
    ]
    return version, rows


def home(request: HttpRequest) -> HttpResponse:
    version, table = published(lang())
    return render(request, "mamori/home.html", {"table": table, "version": version})


def quote_page(request: HttpRequest) -> HttpResponse:
    """The public quote page: the premium and its factors update as the user types (htmx)."""
    version, table = published(lang())
    raw = forms.quote_raw(request.POST) if request.method == "POST" else forms.quote_defaults(version)
    context: dict[str, Any] = {"form": forms.quote_form(version, raw, lang()), "table": table, "version": version}
    if request.method == "POST":
        try:
            saved, _rated = quote_services.quote_create(
                raw=raw, user=request.user if request.user.is_authenticated else None
            )
        except InvalidInput as exc:
            context["errors"] = errors_by_field(exc.errors)
            return render(request, "mamori/quote.html", context, status=422)
        request.session.setdefault("quotes", [])
        request.session["quotes"] = [*request.session["quotes"][-19:], str(saved.pk)]
        return redirect("pages:quote-detail", quote_id=saved.pk)
    context.update(_preview(raw))
    return render(request, "mamori/quote.html", context)


def _preview(raw: dict[str, Any]) -> dict[str, Any]:
    try:
        quote = quote_services.quote_preview(raw=raw)
    except InvalidInput as exc:
        return {"errors": errors_by_field(exc.errors), "quote": None}
    return {"quote": quote, "view": forms.quote_view(quote, lang()), "errors": {}}


@require_POST
def quote_preview(request: HttpRequest) -> HttpResponse:
    """The result panel of the quote page (htmx), for the inputs as they are now."""
    return render(request, "mamori/_quote_result.html", {**_preview(forms.quote_raw(request.POST)), "oob": True})


def quote_detail(request: HttpRequest, quote_id: str) -> HttpResponse:
    quote = quote_selectors.quote_get(user=request.user, quote_id=quote_id)
    if quote is None and str(quote_id) in request.session.get("quotes", []):
        quote = Quote.objects.filter(pk=quote_id).first()  # the visitor's own quote, made before logging in
    if quote is None:
        raise Http404
    return render(request, "mamori/quote_detail.html", {"quote": quote, "view": forms.saved_quote_view(quote, lang())})


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """A new policyholder: a user name, a password and the business."""
    values_ = {k: request.POST.get(k, "") for k in ("username", "password", "name", "entity", "address", "email")}
    context: dict[str, Any] = {
        "values": values_,
        "errors": {},
        "next": request.GET.get("next") or request.POST.get("next", ""),
    }
    if request.method == "POST":
        try:
            user = forms.signup(values_)
        except InvalidInput as exc:
            context["errors"] = errors_by_field(exc.errors)
            return render(request, "mamori/signup.html", context, status=422)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        from mamori.web.accounts.views import safe_next

        return redirect(safe_next(request, context["next"]) or "pages:dashboard")
    return render(request, "mamori/signup.html", context)


# ------------------------------------------------------------------------------------------ signed in


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "profile": accounts.profile_of(user),
        "applications": application_selectors.with_offers(user, application_selectors.applications_visible(user)[:20]),
        "policies": policy_selectors.policies_visible(user)[:20],
        "queue": application_selectors.with_offers(user, application_selectors.underwriting_queue(user)[:20]),
        "change_requests": servicing_selectors.change_requests_pending(user)[:20],
        **_holder_overview(user),
    }
    return render(request, "mamori/dashboard.html", context)


def _holder_overview(user: Any) -> dict[str, Any]:
    """A policyholder's (or agent's) overview: the next payment, open incidents and claims, and whether they may
    report an incident (the big button; the authority table decides)."""
    from mamori.web.billing.models import Installment
    from mamori.web.claimsdesk import selectors as claim_selectors
    from mamori.web.claimsdesk.models import Claim
    from mamori.web.incidents import selectors as incident_selectors
    from mamori.web.incidents.models import Case, Incident

    subject = accounts.subject_of(user)
    if not authority.may_role(subject, Action.REPORT_INCIDENT):
        return {"can_report": False}
    policies = policy_selectors.policies_visible(user)
    next_payment = (
        Installment.objects.filter(policy__in=policies, status=Installment.Status.DUE)
        .select_related("policy")
        .order_by("due_date", "number")
        .first()
    )
    incidents = (
        incident_selectors.incidents_visible(user)
        .filter(status=Incident.Status.SUBMITTED)
        .exclude(case__status=Case.Status.CLOSED)
        .select_related("policy")
        .order_by("-submitted_at")[:10]
    )
    claims = (
        claim_selectors.claims_visible(user)
        .exclude(status=Claim.Status.CLOSED)
        .select_related("policy")
        .order_by("-created_at")[:10]
    )
    for claim in claims:
        claim.status_text = {"OPEN": _("Being assessed"), "DECIDED": _("Decided"), "CLOSED": _("Closed")}.get(
            claim.status, claim.status
        )
    return {"can_report": True, "next_payment": next_payment, "open_incidents": incidents, "open_claims": claims}


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, quote_id: str) -> HttpResponse:
    quote = quote_selectors.quote_get(user=request.user, quote_id=quote_id)
    if quote is None and str(quote_id) in request.session.get("quotes", []):
        quote = Quote.objects.filter(pk=quote_id, created_by__isnull=True).first()
    if quote is None:
        raise Http404
    profile = accounts.profile_of(request.user)
    has_business = (
        profile is not None and profile.business is not None and accounts.has_role(request.user, roles.POLICYHOLDER)
    )
    values_ = forms.application_values(request.POST if request.method == "POST" else None, quote)
    context: dict[str, Any] = {
        "quote": quote,
        "values": values_,
        "errors": {},
        "has_business": has_business,
        "profile": profile,
        "summary": forms.cover_summary(quote, lang()),
    }
    if request.method == "POST":
        try:
            app = application_services.application_submit(
                user=request.user,
                quote=quote,
                business=None if has_business else forms.business_of(values_),
                start=values_["start"],
                payment=values_["payment"],
                consent=values_["consent"],
                intent=values_["intent"],
            )
        except InvalidInput as exc:
            context["errors"] = errors_by_field(exc.errors)
            return render(request, "mamori/apply.html", context, status=422)
        except (NotFound, Forbidden) as exc:
            return refused(request, exc, reverse("pages:dashboard"))
        return redirect("pages:application", application_id=app.pk)
    return render(request, "mamori/apply.html", context)


@login_required
def application(request: HttpRequest, application_id: str) -> HttpResponse:
    app = application_selectors.application_get(user=request.user, application_id=application_id)
    if app is None:
        raise Http404
    doc = application_selectors.application_json(app, lang())
    (app,) = application_selectors.with_offers(request.user, [app])
    return render(request, "mamori/application.html", {"app": app, "doc": doc})


@login_required
@require_POST
def bind(request: HttpRequest, application_id: str) -> HttpResponse:
    back = reverse("pages:application", kwargs={"application_id": application_id})
    try:
        policy, created = servicing.application_bind(user=request.user, application_id=application_id)
    except (InvalidInput, Conflict, Forbidden, IllegalTransition) as exc:
        return refused(request, exc, back)
    except NotFound:
        raise Http404 from None
    if created:
        messages.success(request, _("The policy %(number)s was issued.") % {"number": policy.number})
    return redirect("pages:policy", number=policy.number)


@action_required(Action.DECIDE_APPLICATION, Action.DECIDE_CHANGE)
def underwriting(request: HttpRequest) -> HttpResponse:
    queue = application_selectors.with_offers(request.user, application_selectors.underwriting_queue(request.user))
    changes = servicing_selectors.change_requests_pending(request.user)
    return render(request, "mamori/underwriting.html", {"queue": queue, "changes": changes, "lang": lang()})


@action_required(Action.DECIDE_CHANGE)
@require_http_methods(["GET", "POST"])
def decide_change(request: HttpRequest, request_id: int) -> HttpResponse:
    """An underwriter decides a referred change: approve (it applies on its date) or decline, with a reason."""
    found = servicing_selectors.change_request_get(user=request.user, request_id=request_id)
    if found is None:
        raise Http404
    values_ = {k: request.POST.get(k, "") for k in ("decision", "reason", "monthly_premium")}
    context: dict[str, Any] = {
        "change": found,
        "doc": servicing_selectors.change_request_json(found, lang()),
        "terms": forms.terms_in_words(servicing_selectors.terms_compared(found), lang()),
        "actions": servicing_selectors.change_request_offers(request.user, found),
        "values": values_,
        "errors": {},
    }
    if request.method == "POST":
        try:
            servicing.change_request_decide(
                user=request.user,
                request_id=found.pk,
                decision=values_["decision"],
                reason=values_["reason"],
                monthly_premium=values_["monthly_premium"] or None,
            )
        except InvalidInput as exc:
            context["errors"] = errors_by_field(exc.errors)
            return render(request, "mamori/decide_change.html", context, status=422)
        except (Conflict, Forbidden) as exc:
            return refused(request, exc, reverse("pages:underwriting"))
        messages.success(request, _("The decision was recorded."))
        return redirect("pages:underwriting")
    return render(request, "mamori/decide_change.html", context)


@action_required(Action.DECIDE_APPLICATION)
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, application_id: str) -> HttpResponse:
    app = application_selectors.application_get(user=request.user, application_id=application_id)
    if app is None:
        raise Http404
    values_ = {k: request.POST.get(k, "") for k in ("decision", "reason", "monthly_premium")}
    context: dict[str, Any] = {
        "app": app,
        "doc": application_selectors.application_json(app, lang()),
        "values": values_,
        "errors": {},
        **forms.underwriting_view(app, lang()),
    }
    if request.method == "POST":
        try:
            application_services.application_decide(
                user=request.user,
                application_id=app.pk,
                decision=values_["decision"],
                reason=values_["reason"],
                monthly_premium=values_["monthly_premium"],
            )
        except InvalidInput as exc:
            context["errors"] = errors_by_field(exc.errors)
            return render(request, "mamori/decide.html", context, status=422)
        except (Conflict, Forbidden) as exc:
            return refused(request, exc, reverse("pages:underwriting"))
        messages.success(request, _("The decision was recorded."))
        return redirect("pages:underwriting")
    return render(request, "mamori/decide.html", context)


#: The orders of the policy list (``?sort=``, ``-`` for descending).
POLICY_SORTS = {
    "number": ("number",),
    "business": ("business__name", "number"),
    "start": ("start_date", "number"),
    "end": ("end_date", "number"),
}


@login_required
def policies(request: HttpRequest) -> HttpResponse:
    """The policies the user may see, a page at a time, by status, industry and name or number."""
    filters = {key: request.GET.get(key, "").strip()[:100] for key in ("status", "industry", "q")}
    rows = policy_selectors.policies_list(
        request.user, status=filters["status"], industry=filters["industry"], search=filters["q"]
    )
    sort, order = paging.sort_of(request, POLICY_SORTS, "number")
    page = paging.page_of(request, rows.order_by(*order))
    version = productdb.catalog().latest()
    context = {
        "policies": page,
        "page": page,
        "filters": {**filters, "sort": sort},
        "statuses": Policy.Status.choices,
        "industries": forms.quote_form(version, {}, lang())["industries"],
        "sorts": [
            ("number", _("Policy number")),
            ("business", _("Business")),
            ("start", _("Start")),
            ("-end", _("End, latest first")),
            ("end", _("End, soonest first")),
        ],
    }
    return render(request, "mamori/policies.html", context)


@login_required
def policy(request: HttpRequest, number: str) -> HttpResponse:
    found = policy_selectors.policy_get(user=request.user, number=number)
    if found is None:
        raise Http404
    context = {
        "policy": found,
        "doc": servicing_selectors.policy_json(found),
        "versions": policy_selectors.versions_json(found),
        "actions": servicing_selectors.offers(request.user, found),
        "options": forms.change_options(policy_selectors.version_of(found), lang()),
        "payments": Payment.objects.filter(policy=found),
        "refunds": servicing_selectors.refunds_of(found),
        "change_requests": found.change_requests.order_by("-created_at"),
        "charges": found.charges.all(),
        "renewal": getattr(found, "renewal_offer", None),
        "renewal_application": getattr(found, "renewal_application", None),
    }
    return render(request, "mamori/policy.html", context)


@login_required
def certificate(request: HttpRequest, number: str) -> HttpResponse:
    found = policy_selectors.policy_get(user=request.user, number=number)
    wanted = request.GET.get("lang") or lang()
    version = request.GET.get("version")
    if found is not None:
        policy_services.certificates_ensure(found)
    document = (
        policy_selectors.certificate_of(
            found,
            lang="en" if wanted == "en" else "ja",
            version=int(version) if version and version.isdigit() else None,
        )
        if found
        else None
    )
    if document is None:
        raise Http404
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{number}-v{document.version.number}-{document.lang}.pdf"'
    return response


@login_required
@require_POST
def change(request: HttpRequest, number: str) -> HttpResponse:
    back = reverse("pages:policy", kwargs={"number": number})
    changes = forms.changes_of(request.POST)
    if request.POST.get("step") == "preview":
        return _change_preview(request, number, changes, back)
    try:
        result = servicing.policy_change(
            user=request.user, number=number, effective_date=request.POST.get("effective_date"), changes=changes
        )
    except (InvalidInput, Conflict, Forbidden, IllegalTransition) as exc:
        return refused(request, exc, back)
    except NotFound:
        raise Http404 from None
    if isinstance(result, ChangeRequest):
        messages.warning(request, FieldError("$", "E_NEEDS_UNDERWRITING").message(lang(), plain=True))
    else:
        messages.success(request, _("The change was made: version %(version)d.") % {"version": result.number})
    return redirect(back)


def _change_preview(request: HttpRequest, number: str, changes: dict[str, Any], back: str) -> HttpResponse:
    """The change as it would be made (new premium, difference), to confirm — or why it cannot be made."""
    effective_date = request.POST.get("effective_date")
    try:
        preview = servicing_selectors.change_preview(
            user=request.user, number=number, effective_date=effective_date, changes=changes, lang=lang()
        )
    except (InvalidInput, Conflict, Forbidden, IllegalTransition) as exc:
        return refused(request, exc, back)
    except NotFound:
        raise Http404 from None
    hidden = [(k, v) for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "step")]
    return render(
        request,
        "mamori/change_preview.html",
        {"number": number, "preview": preview, "hidden": hidden, "changes": changes, "back": back},
    )


@login_required
@require_POST
def renew(request: HttpRequest, number: str) -> HttpResponse:
    try:
        app = servicing.renewal_accept(user=request.user, number=number)
    except (Conflict, Forbidden) as exc:
        return refused(request, exc, reverse("pages:policy", kwargs={"number": number}))
    except NotFound:
        raise Http404 from None
    return redirect("pages:application", application_id=app.pk)


@login_required
@require_POST
def cancel(request: HttpRequest, number: str) -> HttpResponse:
    back = reverse("pages:policy", kwargs={"number": number})
    try:
        _policy, refund = servicing.policy_cancel(
            user=request.user, number=number, effective_date=request.POST.get("effective_date")
        )
    except (InvalidInput, Conflict, Forbidden, IllegalTransition) as exc:
        return refused(request, exc, back)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The policy was cancelled. Refund: %(refund)s yen.") % {"refund": f"{refund:,}"})
    return redirect(back)


@action_required(Action.RECORD_PAYMENT)
@require_http_methods(["GET", "POST"])
def payments(request: HttpRequest) -> HttpResponse:
    """Record a payment by hand, or import a bank file."""
    values_ = {k: request.POST.get(k, "") for k in ("policy_number", "amount", "paid_date", "reference")}
    context: dict[str, Any] = {"values": values_, "errors": {}, "recent": Payment.objects.select_related("policy")[:30]}
    if request.method == "POST" and "file" in request.FILES:
        return _bank_import(request, context)
    if request.method == "POST":
        return _payment(request, context, values_)
    return render(request, "mamori/payments.html", context)


def _bank_import(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    upload = request.FILES["file"]
    try:
        record = servicing.bank_import(user=request.user, name=upload.name or "bank.csv", data=upload.read())
    except InvalidInput as exc:
        context["errors"] = errors_by_field(exc.errors)
        return render(request, "mamori/payments.html", context, status=422)
    messages.success(
        request,
        _("Imported %(recorded)d payments (%(duplicates)d already recorded, %(unmatched)d not matched).")
        % {"recorded": record.recorded, "duplicates": record.duplicates, "unmatched": len(record.unmatched)},
    )
    context["bank_import"] = record
    return render(request, "mamori/payments.html", context)


def _payment(request: HttpRequest, context: dict[str, Any], values_: dict[str, str]) -> HttpResponse:
    status = 422
    try:
        payment, created = servicing.payment_record(
            user=request.user,
            policy_number=values_["policy_number"],
            amount=values_["amount"],
            paid_date=values_["paid_date"],
            reference=values_["reference"],
        )
    except InvalidInput as exc:
        context["errors"] = errors_by_field(exc.errors)
    except NotFound:
        context["errors"] = {"policy_number": [FieldError("policy_number", "E_NOT_FOUND").message(lang(), plain=True)]}
    except Conflict as exc:
        context["errors"], status = errors_by_field([exc.error]), 409
    else:
        done = _("The payment %(reference)s was recorded.") % {"reference": payment.reference}
        messages.success(request, done if created else _("This payment was already recorded."))
        return redirect("pages:payments")
    return render(request, "mamori/payments.html", context, status=status)


@action_required(Action.AUDIT)
def audit(request: HttpRequest) -> HttpResponse:
    events = audit_selectors.audit_events(
        object_type=request.GET.get("type") or None,
        object_id=request.GET.get("id") or None,
        action=request.GET.get("action") or None,
    )[:200]
    return render(request, "mamori/audit.html", {"events": events})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The branded 404 (like the 403): the page in the reader's language, the way back; the API keeps its own
    JSON answer (ninja's handlers answer under /api/v1 before this)."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        error = FieldError("$", "E_NOT_FOUND")
        return JsonResponse({"errors": [error.to_dict(lang())]}, status=404)
    return render(
        request,
        "mamori/error.html",
        {"message": _("This page does not exist, or you may not see it."), "title": _("Page not found")},
        status=404,
    )


def disclosure_page(request: HttpRequest) -> HttpResponse:
    """重要事項説明書 (契約概要・注意喚起情報) of the product on sale, from its data (issue 15)."""
    from mamori.usecases import disclosure

    doc = disclosure.disclosure(productdb.catalog().latest(), lang())
    return render(
        request, "mamori/document.html", {"doc": doc, "kind": "disclosure", "pdf": reverse("pages:disclosure-pdf")}
    )


def disclosure_pdf(request: HttpRequest) -> HttpResponse:
    from mamori.usecases import disclosure
    from mamori.web.policies.certificate import document_pdf

    doc = disclosure.disclosure(productdb.catalog().latest(), lang())
    response = HttpResponse(document_pdf(doc, lang()), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="juyo-jiko.pdf"'
    return response


def terms_page(request: HttpRequest) -> HttpResponse:
    """約款: the structure of the cover as the product data holds it (issue 15)."""
    from mamori.usecases import disclosure

    doc = disclosure.terms(productdb.catalog().latest(), lang())
    return render(request, "mamori/document.html", {"doc": doc, "kind": "terms"})
