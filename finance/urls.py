from django.urls import path

from finance import views

app_name = "finance"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.needs_export, name="export"),
    path("needs/new/", views.need_new, name="need_new"),
    path("needs/<int:pk>/", views.need, name="need"),
    path("needs/<int:pk>/refer/", views.refer, name="refer"),
    path("needs/<int:pk>/withdraw/", views.need_withdraw, name="need_withdraw"),
    path("consents/", views.consents, name="consents"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("institutions/", views.institutions, name="institutions"),
    path("institutions/new/", views.institution_new, name="institution_new"),
    path("institutions/<int:pk>/", views.institution, name="institution"),
    path("institutions/<int:pk>/products/", views.product_add, name="product_add"),
    path("bank/", views.bank, name="bank"),
    path("bank/export.xlsx", views.bank_export, name="bank_export"),
    path("bank/enterprises/<int:pk>/", views.shared_enterprise, name="shared"),
    path("referrals/<int:pk>/", views.referral, name="referral"),
    path("referrals/<int:pk>/answer/", views.answer, name="answer"),
    path("referrals/<int:pk>/disburse/", views.disburse, name="disburse"),
    path("disbursements/<int:pk>/void/", views.disbursement_void, name="disbursement_void"),
]
