from django.urls import path

from . import authoring, slr_views, views

app_name = "agreements"

urlpatterns = [
    path("agreements/", views.agreement_list, name="list"),
    path("agreements/<int:pk>/", views.agreement_detail, name="detail"),
    path("agreements/<int:pk>/transition", views.agreement_transition, name="transition"),
    path("agreements/<int:pk>/versions/<int:number>/approve", views.version_approve,
         name="approve"),
    path("agreements/<int:pk>/compare", views.agreement_compare, name="compare"),
    # Authoring (service level managers): agreements, draft versions, targets, matrix.
    path("agreements/new", authoring.agreement_new, name="new"),
    path("agreements/<int:pk>/edit", authoring.agreement_edit, name="edit"),
    path("agreements/<int:pk>/versions/new", authoring.version_new, name="version_new"),
    path("agreements/<int:pk>/versions/<int:number>/edit", authoring.version_edit,
         name="version_edit"),
    path("agreements/<int:pk>/versions/<int:number>/delete", authoring.version_delete,
         name="version_delete"),
    path("agreements/<int:pk>/versions/<int:number>/targets/new", authoring.target_new,
         name="target_new"),
    path("agreements/<int:pk>/versions/<int:number>/targets/<int:target_id>/edit",
         authoring.target_edit, name="target_edit"),
    path("agreements/<int:pk>/versions/<int:number>/targets/<int:target_id>/delete",
         authoring.target_delete, name="target_delete"),
    path("agreements/<int:pk>/matrix", authoring.matrix_edit, name="matrix"),
    path("slrs/", slr_views.slr_list, name="slrs"),
    path("slrs/new", slr_views.slr_edit, name="slr_new"),
    path("slrs/<int:pk>/", slr_views.slr_detail, name="slr"),
    path("slrs/<int:pk>/edit", slr_views.slr_edit, name="slr_edit"),
    path("slrs/<int:pk>/evaluate", slr_views.slr_evaluate, name="slr_evaluate"),
    path("slrs/<int:pk>/convert", slr_views.slr_convert, name="slr_convert"),
]
