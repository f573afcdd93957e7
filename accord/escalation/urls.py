from django.urls import path

from . import authoring, views

app_name = "escalation"

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/retry", views.notification_retry, name="retry"),
    path("escalations/", views.escalation_list, name="escalations"),
    path("escalations/<int:pk>/acknowledge", views.escalation_acknowledge, name="acknowledge"),
    path("escalation-policies/", authoring.policy_list, name="policies"),
    path("escalation-policies/new", authoring.policy_edit, name="policy_new"),
    path("escalation-policies/<int:pk>/", authoring.policy_edit, name="policy"),
    path("channels/new", authoring.channel_edit, name="channel_new"),
    path("channels/<int:pk>/", authoring.channel_edit, name="channel"),
]
