from django.urls import path

from . import reach_views, views

app_name = "measurement"

urlpatterns = [
    path("tickets/", views.ticket_list, name="tickets"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("clocks/", views.clock_list, name="clocks"),
    path("agreements/<int:pk>/reach", reach_views.target_reach, name="target_reach"),
]
