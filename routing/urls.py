from django.urls import path

from .api import RouteView

urlpatterns = [
    path("api/v1/route", RouteView.as_view(), name="route"),
]
