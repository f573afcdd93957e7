from django.urls import path

from . import views

app_name = "planning"

urlpatterns = [
    path("agreements/<int:pk>/versions/<int:number>/simulate", views.simulate_page,
         name="simulate"),
    path("slrs/<int:pk>/simulate", views.slr_simulate_page, name="slr_simulate"),
]
