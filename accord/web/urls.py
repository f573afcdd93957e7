from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reviews/overdue/", views.overdue_reviews, name="overdue_reviews"),
]
