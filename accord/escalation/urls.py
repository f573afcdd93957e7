from django.urls import path

from . import views

app_name = "escalation"

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/retry", views.notification_retry, name="retry"),
    path("escalations/", views.escalation_list, name="escalations"),
    path("escalations/<int:pk>/acknowledge", views.escalation_acknowledge, name="acknowledge"),
]
