from django.urls import path

from . import views, views_forms, views_more

app_name = "reviews"

urlpatterns = [
    path("reviews/", views.review_list, name="reviews"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/open", views.review_open, name="review_open"),
    path("reviews/<int:pk>/minutes", views.review_minutes, name="review_minutes"),
    path("reviews/<int:pk>/decisions", views.review_decision, name="review_decision"),
    path("reviews/<int:pk>/actions", views.review_action, name="review_action"),
    path("reviews/<int:pk>/close", views.review_close, name="review_close"),
    path("actions/", views.action_list, name="actions"),
    path("actions/raise", views.action_raise, name="action_raise"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("leadership/", views.leadership_view, name="leadership"),
    path("exclusions/", views_more.exclusion_list, name="exclusions"),
    path("exclusions/<int:pk>/<str:verdict>", views_more.exclusion_decide,
         name="exclusion_decide"),
    path("plans/", views_more.plan_list, name="plans"),
    path("plans/new", views_forms.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views_more.plan_detail, name="plan"),
    path("plans/<int:pk>/edit", views_forms.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/actions", views_forms.plan_action, name="plan_action"),
    path("risks/", views_more.risk_list, name="risks"),
    path("risks/new", views_forms.risk_new, name="risk_new"),
    path("risks/<int:pk>/edit", views_forms.risk_edit, name="risk_edit"),
    path("breaches/<int:clock_id>/", views_forms.breach_investigation, name="breach"),
    path("objectives/<int:agreement>/<int:target>/<str:label>/",
         views_forms.objective_investigation, name="objective"),
]
