from django.urls import path

from . import views

app_name = "connectors"

urlpatterns = [
    path("connectors/", views.connector_list, name="list"),
    path("connectors/<int:pk>/", views.connector_detail, name="detail"),
    path("connectors/<int:pk>/mapping", views.connector_mapping, name="mapping"),
    path("connectors/<int:pk>/settings", views.connector_settings, name="settings"),
    path("connectors/<int:pk>/test", views.connector_test, name="test"),
    path("connectors/<int:pk>/dead-letters/<int:letter_pk>/replay", views.letter_action,
         {"action": "replay"}, name="replay"),
    path("connectors/<int:pk>/dead-letters/<int:letter_pk>/discard", views.letter_action,
         {"action": "discard"}, name="discard"),
]
