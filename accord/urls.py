from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accord.api import api
from accord.web import views as web_views

urlpatterns = [
    path("health", web_views.health, name="health"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("accord.web.urls")),
    path("", include("accord.catalogue.urls")),
    path("", include("accord.agreements.urls")),
    path("", include("accord.measurement.urls")),
    path("", include("accord.escalation.urls")),
    path("", include("accord.connectors.urls")),
    path("", include("accord.reporting.urls")),
    path("", include("accord.reviews.urls")),
    path("", include("accord.experience.urls")),
    path("", include("accord.planning.urls")),
    path("", include("accord.reporting.page_urls")),  # the service report pages
]
