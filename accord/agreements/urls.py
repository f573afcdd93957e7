from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("agreements/", views.agreement_list, name="list"),
    path("agreements/<int:pk>/", views.agreement_detail, name="detail"),
    path("agreements/<int:pk>/transition", views.agreement_transition, name="transition"),
    path("agreements/<int:pk>/versions/<int:number>/approve", views.version_approve,
         name="approve"),
    path("agreements/<int:pk>/compare", views.agreement_compare, name="compare"),
]
