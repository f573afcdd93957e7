from django.urls import path

from . import job_views, reach_views, views

app_name = "measurement"

urlpatterns = [
    path("tickets/", views.ticket_list, name="tickets"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("clocks/", views.clock_list, name="clocks"),
    path("recompute/", job_views.recompute_jobs, name="recompute"),
    path("recompute/<int:pk>/", job_views.recompute_job, name="recompute_job"),
    path("agreements/<int:pk>/reach", reach_views.target_reach, name="target_reach"),
]
