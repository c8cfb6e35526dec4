from django.urls import path

from . import api

urlpatterns = [
    path("api/v1/golden-answers/", api.GoldenAnswerListCreate.as_view(), name="api-golden-answers"),
    path("api/v1/golden-answers/lookup", api.GoldenLookupView.as_view(), name="api-golden-lookup"),
    path("api/v1/golden-answers/import", api.GoldenAnswerImport.as_view(), name="api-golden-import"),
    path("api/v1/golden-answers/export", api.GoldenAnswerExport.as_view(), name="api-golden-export"),
    path("api/v1/golden-answers/<int:pk>/", api.GoldenAnswerDetail.as_view(), name="api-golden-answer"),
    path(
        "api/v1/golden-answers/<int:pk>/approve",
        api.GoldenAnswerTransition.as_view(action="approve"),
        name="api-golden-approve",
    ),
    path(
        "api/v1/golden-answers/<int:pk>/retire",
        api.GoldenAnswerTransition.as_view(action="retire"),
        name="api-golden-retire",
    ),
]
