from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "memory"

router = SimpleRouter(trailing_slash=True)
router.register("api/v1/memory/facts", api.MemoryFactViewSet, basename="fact-api")

urlpatterns = [
    path("memory/", views.facts_page, name="facts"),
    path("memory/facts/add/", views.fact_add, name="fact_add"),
    path("memory/facts/<int:pk>/edit/", views.fact_edit, name="fact_edit"),
    path("memory/facts/<int:pk>/delete/", views.fact_delete, name="fact_delete"),
    path("memory/forget/", views.forget_everything, name="forget_everything"),
    *router.urls,
]
