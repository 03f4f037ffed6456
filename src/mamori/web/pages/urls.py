from django.urls import path

from mamori.web.estimates import views as estimate_views
from mamori.web.pages import incident_views, views

app_name = "pages"
urlpatterns = [
    path("", views.home, name="home"),
    path("quote/", views.quote_page, name="quote"),
    path("quote/preview/", views.quote_preview, name="quote-preview"),
    path("estimate/", estimate_views.estimate_page, name="estimate"),
    path("quotes/<uuid:quote_id>/", views.quote_detail, name="quote-detail"),
    path("quotes/<uuid:quote_id>/apply/", views.apply, name="apply"),
    path("signup/", views.signup, name="signup"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("applications/<uuid:application_id>/", views.application, name="application"),
    path("applications/<uuid:application_id>/bind/", views.bind, name="bind"),
    path("underwriting/", views.underwriting, name="underwriting"),
    path("underwriting/<uuid:application_id>/", views.decide, name="decide"),
    path("policies/", views.policies, name="policies"),
    path("policies/<str:number>/", views.policy, name="policy"),
    path("policies/<str:number>/certificate/", views.certificate, name="certificate"),
    path("policies/<str:number>/change/", views.change, name="change"),
    path("policies/<str:number>/cancel/", views.cancel, name="cancel"),
    path("policies/<str:number>/renew/", views.renew, name="renew"),
    path("payments/", views.payments, name="payments"),
    path("audit/", views.audit, name="audit"),
    # Incidents, the emergency support desk and claims handling (issue 8).
    path("incidents/", incident_views.incidents, name="incidents"),
    path("incidents/new/", incident_views.incident_new, name="incident-new"),
    path("incidents/draft/", incident_views.incident_draft, name="incident-draft"),
    path("incidents/<uuid:incident_id>/", incident_views.incident_page, name="incident"),
    path("incidents/<uuid:incident_id>/edit/", incident_views.incident_edit, name="incident-edit"),
    path("incidents/<uuid:incident_id>/attachments/", incident_views.incident_attach, name="incident-attach"),
    path("attachments/<uuid:attachment_id>/", incident_views.attachment_download, name="attachment"),
    path("desk/", incident_views.desk, name="desk"),
    path("desk/cases/<int:case_id>/", incident_views.case_page, name="case"),
    path("desk/cases/<int:case_id>/phase/", incident_views.case_phase, name="case-phase"),
    path("desk/cases/<int:case_id>/tick/", incident_views.case_tick, name="case-tick"),
    path("desk/cases/<int:case_id>/refer/", incident_views.case_refer, name="case-refer"),
    path("desk/cases/<int:case_id>/note/", incident_views.case_note, name="case-note"),
    path("desk/cases/<int:case_id>/filed/", incident_views.case_file, name="case-file"),
    path("desk/cases/<int:case_id>/close/", incident_views.case_close, name="case-close"),
    path("claims/", incident_views.claims_queue, name="claims"),
    path("claims/open/<uuid:incident_id>/", incident_views.claim_open, name="claim-open"),
    path("claims/<uuid:claim_id>/", incident_views.claim_page, name="claim"),
    path("claims/<uuid:claim_id>/costs/", incident_views.claim_cost_add, name="claim-cost-add"),
    path(
        "claims/<uuid:claim_id>/costs/<str:line_id>/remove/", incident_views.claim_cost_remove, name="claim-cost-remove"
    ),
    path("claims/<uuid:claim_id>/bi/", incident_views.claim_bi, name="claim-bi"),
    path("claims/<uuid:claim_id>/recalculate/", incident_views.claim_recalculate, name="claim-recalculate"),
    path("claims/<uuid:claim_id>/decision/", incident_views.claim_decide, name="claim-decide"),
    path("claims/<uuid:claim_id>/reserve/", incident_views.claim_reserve, name="claim-reserve"),
    path("claims/<uuid:claim_id>/close/", incident_views.claim_close, name="claim-close"),
    path("claims/<uuid:claim_id>/payments/", incident_views.claim_pay, name="claim-pay"),
    path("claim-payments/<int:payment_id>/approve/", incident_views.payment_approve, name="payment-approve"),
]
