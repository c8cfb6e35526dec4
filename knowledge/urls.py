from django.urls import path

from knowledge import api

urlpatterns = [
    path("api/v1/knowledge/search", api.SearchView.as_view(), name="knowledge-search"),
    path("api/v1/knowledge/collections", api.CollectionListView.as_view(), name="knowledge-collections"),
    path("api/v1/knowledge/documents", api.DocumentCreateView.as_view(), name="knowledge-document-create"),
    path("api/v1/knowledge/documents/<int:document_id>", api.DocumentDetailView.as_view(), name="knowledge-document"),
    path(
        "api/v1/knowledge/documents/<int:document_id>/retire",
        api.DocumentRetireView.as_view(),
        name="knowledge-document-retire",
    ),
]
