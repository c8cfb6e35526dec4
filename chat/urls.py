from django.urls import path

from . import api, views

urlpatterns = [
    path("", views.chat_page, name="home"),
    path("c/<int:pk>/", views.chat_page, name="conversation"),
    path("c/<int:pk>/sources/<int:message_id>/<int:n>/", views.source_page, name="source"),
    path("chat/messages/<int:pk>/html", views.message_html, name="message-html"),
    path("api/v1/auth/token/", api.AuthToken.as_view(), name="api-token"),
    path("api/v1/auth/token/revoke/", api.AuthTokenRevoke.as_view(), name="api-token-revoke"),
    path("api/v1/conversations/", api.ConversationListCreate.as_view(), name="api-conversations"),
    path("api/v1/conversations/<int:pk>/", api.ConversationDetail.as_view(), name="api-conversation"),
    path("api/v1/conversations/<int:pk>/messages/", api.ConversationMessages.as_view(), name="api-messages"),
    path("api/v1/conversations/<int:pk>/regenerate/", api.ConversationRegenerate.as_view(), name="api-regenerate"),
    path(
        "api/v1/conversations/<int:pk>/messages/<int:message_id>/edit/",
        api.MessageEdit.as_view(),
        name="api-message-edit",
    ),
    path("api/v1/conversations/<int:pk>/attachments/", api.ConversationAttachments.as_view(), name="api-attachments"),
    path("api/v1/conversations/<int:pk>/export/", api.ConversationExport.as_view(), name="api-export"),
    path("api/v1/messages/<int:pk>/feedback/", api.MessageFeedback.as_view(), name="api-feedback"),
    path("api/v1/chat/stream", api.chat_stream, name="api-chat-stream"),
    path("api/v1/handoffs/", api.HandoffList.as_view(), name="api-handoffs"),
    path("api/v1/handoffs/<int:pk>/", api.HandoffDetail.as_view(), name="api-handoff"),
    path("api/v1/handoffs/<int:pk>/replies/", api.HandoffReplies.as_view(), name="api-handoff-replies"),
    path("api/v1/messages/<int:pk>/golden-answer/", api.MessageGoldenAnswer.as_view(), name="api-message-golden"),
    path("staff/handoffs/", views.handoff_inbox, name="handoff-inbox"),
    path("staff/handoffs/<int:pk>/", views.handoff_page, name="handoff"),
    path("staff/handoffs/rows/<int:pk>/html", views.handoff_row_html, name="handoff-row-html"),
]
