from django.urls import path

from medcode.claims import inpatient_views, views

app_name = "claims"

urlpatterns = [
    path("", views.worksheet_page, name="worksheet"),
    path("inpatient/", inpatient_views.inpatient_page, name="inpatient"),
    path("add/", views.add_code, name="add"),
    path("lines/new/", views.add_line, name="add_line"),
    path("lines/<int:number>/", views.update_line, name="line"),
    path("lines/<int:number>/delete/", views.delete_line, name="delete_line"),
    path("diagnoses/", views.update_diagnoses, name="diagnoses"),
    path("locality/", views.update_locality, name="locality"),
    path("fix/", views.apply_fix, name="fix"),
    path("clear/", views.clear_worksheet, name="clear"),
    path("export/lines.csv", views.export_lines, name="export_lines"),
    path("export/findings.csv", views.export_findings, name="export_findings"),
    path("export/payment.csv", views.export_payment, name="export_payment"),
]
