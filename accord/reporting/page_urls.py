from django.urls import path

from . import pages

app_name = "reports"

urlpatterns = [
    path("reports/", pages.reports, name="page"),
    path("reports/<int:pk>/<str:label>.<str:fmt>", pages.download, name="download"),
    path("reports/services/<int:pk>/", pages.service_compliance, name="service"),
]
