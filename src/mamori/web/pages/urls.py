from django.urls import path

from mamori.web.pages import views

app_name = "pages"
urlpatterns = [
    path("", views.home, name="home"),
    path("quote/", views.quote_page, name="quote"),
    path("quote/preview/", views.quote_preview, name="quote-preview"),
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
]
