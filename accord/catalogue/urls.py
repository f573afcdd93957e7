from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("services/", views.service_list, name="services"),
    path("services/new", views.service_new, name="service_new"),
    path("services/<int:pk>/", views.service_detail, name="service"),
    path("services/<int:pk>/edit", views.service_edit, name="service_edit"),
    path("components/", views.component_list, name="components"),
    path("customers/", views.customer_list, name="customers"),
    path("teams/", views.team_list, name="teams"),
    path("suppliers/", views.supplier_list, name="suppliers"),
    path("calendars/", views.calendar_list, name="calendars"),
    path("calendars/new", views.calendar_new, name="calendar_new"),
    path("calendars/<int:pk>/", views.calendar_detail, name="calendar"),
    path("calendars/<int:pk>/edit", views.calendar_edit, name="calendar_edit"),
]
