from django.urls import path

from . import views

app_name = "experience"

urlpatterns = [
    path("survey/<int:ticket>/<str:token>/", views.survey_page, name="survey"),
    path("feedback/", views.feedback_list, name="feedback"),
    path("feedback/new/", views.enter_by_hand, name="by_hand"),
]
