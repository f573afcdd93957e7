from django.urls import path

from . import preferences, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reviews/overdue/", views.overdue_reviews, name="overdue_reviews"),
    path("settings/", preferences.your_settings, name="your_settings"),
]
