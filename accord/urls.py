from django.contrib import admin
from django.urls import include, path

from accord.api import api
from accord.web import views as web_views

urlpatterns = [
    path("health", web_views.health, name="health"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("accord.web.urls")),
]
