from django.urls import include, path

from . import (
    business_case_views,
    export_views,
    flow_views,
    privacy_views,
    provider_views,
    views,
)

app_name = "trajectories"

# The steps of one resident's case, under /clienten/<pk>/.
case_patterns = [
    path("", views.case_detail, name="case"),
    path("samenvatting.pdf", export_views.case_summary, name="summary_pdf"),
    path("gegevens/", views.edit, name="edit"),
    path("intake/", views.intake, name="intake"),
    path("diagnose/", views.diagnosis, name="diagnosis"),
    path("plan/doel/", views.goal, name="goal"),
    path("plan/actie/", views.action, name="action"),
    path("plan/actie/<int:action_pk>/status/", views.action_status, name="action_status"),
    path("plaatsing/", views.propose, name="propose"),
    *[
        path(
            f"plaatsing/<int:placement_pk>/{slug}/", views.placement_step, {"step": step}, name=step
        )
        for slug, step in [
            ("akkoord", "accept"),
            ("starten", "start"),
            ("plek-vrij", "offer"),
            ("beeindigen", "end"),
            ("overstap", "transition"),
        ]
    ],
    path("herbeoordeling/", views.reevaluation, name="reevaluation"),
    path("werk-leerlijn/", views.line_step, name="line_step"),
    path("notitie/", views.note, name="note"),
    path("tijdlijn/", views.timeline, name="timeline"),
    path("geschiedenis/", views.change_history, name="history"),
    path("reden/", views.open_with_reason, name="open_with_reason"),
    path("delen/", views.share, name="share"),
    path("delen/<int:share_pk>/intrekken/", views.withdraw_share, name="withdraw_share"),
    path("concept/<str:form_name>/", views.save_draft, name="save_draft"),
    path("concept/<str:form_name>/weggooien/", views.discard_draft, name="discard_draft"),
    path("sluiten/", privacy_views.close, name="close_file"),
    path("heropenen/", privacy_views.reopen, name="reopen_file"),
    path("inzage.json", privacy_views.export_json, name="export_json"),
    path("inzage.pdf", privacy_views.export_pdf, name="export_pdf"),
    path("anonimiseren/", privacy_views.anonymise_file, name="anonymise"),
    path("businesscase/", business_case_views.resident_business_case, name="business_case"),
]

urlpatterns = [
    path("mijn-clienten/", views.client_list, {"mine": True}, name="mine"),
    path("clienten/", views.client_list, name="list"),
    path("clienten/inschrijven/", views.register, name="register"),
    path("gedeelde-casussen/", views.shared_cases, name="shared"),
    path("aanmelden/", views.refer, name="refer"),
    path("clienten/<int:pk>/", include(case_patterns)),
    path("voorzieningen/<int:provision_pk>/wachtlijst/", views.waiting_list, name="waiting_list"),
    path(
        "ketenpartners/<int:organisation_pk>/voorstellen-te-laat/",
        views.partner_overdue,
        name="partner_overdue",
    ),
    path("exporteren/", export_views.bulk_exports, name="bulk_exports"),
    path("exporteren/<int:pk>/", export_views.bulk_export, name="bulk_export"),
    path(
        "exporteren/<int:pk>/download/",
        export_views.bulk_export_download,
        name="bulk_export_download",
    ),
    path("exporteren/<int:pk>/opnieuw/", export_views.bulk_export_retry, name="bulk_export_retry"),
    path("bewaartermijn-verstreken/", privacy_views.past_retention, name="past_retention"),
    path("businesscase/", business_case_views.business_case, name="group_business_case"),
    path("stromen/", flow_views.flows, name="flows"),
    path("stromen/bewoners/", flow_views.flow_residents, name="flow_residents"),
    # A provider's staff: the placements in their own provisions.
    path("aanbieder/", provider_views.inbox, name="provider_inbox"),
    path(
        "aanbieder/plaatsingen/<int:placement_pk>/",
        provider_views.placement_detail,
        name="provider_placement",
    ),
    *[
        path(
            f"aanbieder/plaatsingen/<int:placement_pk>/{slug}/",
            provider_views.placement_step,
            {"step": step},
            name=f"provider_{step}",
        )
        for slug, step in [
            ("accepteren", "accept"),
            ("afwijzen", "decline"),
            ("start", "start"),
            ("verzuim", "absence"),
            ("einde", "end"),
        ]
    ],
    path(
        "aanbieder/voorzieningen/<int:provision_pk>/capaciteit/",
        provider_views.capacity,
        name="provider_capacity",
    ),
]
