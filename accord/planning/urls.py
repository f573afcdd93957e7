from django.urls import path

from . import impact_views, views

app_name = "planning"

urlpatterns = [
    path("agreements/<int:pk>/versions/<int:number>/simulate", views.simulate_page,
         name="simulate"),
    path("agreements/<int:pk>/fit", views.fit_page, name="fit"),
    path("agreements/from-template", views.from_template_page, name="from_template"),
    path("impact/", impact_views.impact_page, name="impact"),
    path("impact/maintenance", impact_views.save_window, name="impact_save"),
    path("slrs/<int:pk>/simulate", views.slr_simulate_page, name="slr_simulate"),
]
