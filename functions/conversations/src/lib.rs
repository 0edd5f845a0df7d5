//! `conversations`: GET /conversations and GET /conversations/{id}/messages, the history
//! side of chat (live messages go over the WebSocket API).

use http::StatusCode;
use lambda_http::Request;
use serde::Serialize;
use shared::App;
use shared::domain::{ConversationId, ConversationSummary, Message};
use shared::http::{ApiError, HttpResponse, PageRequest, authenticate, json, path_resource, route_key};
use utoipa::OpenApi;

/// A page of the caller's conversations.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConversationList {
    /// Latest activity first.
    pub conversations: Vec<ConversationSummary>,
    /// Pass as `cursor` for the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A page of a conversation's messages.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MessageList {
    /// Newest first.
    pub messages: Vec<Message>,
    /// Pass as `cursor` for older messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(list_conversations, list_messages))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "GET /conversations" => list_conversations(app, &request).await,
        "GET /conversations/{id}/messages" => list_messages(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// The caller's conversations with their last message and unread count.
#[utoipa::path(get, path = "/conversations", tag = "chat", security(("bearer" = [])),
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 50, description = "Page size, 1-50 (default 20)"),
        ("cursor" = Option<String>, Query, description = "From the previous page's next_cursor"),
    ),
    responses(
        (status = 200, description = "A page of conversations", body = ConversationList),
    ))]
async fn list_conversations(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let paging = PageRequest::parse(request, &app.cursors, format!("conversations:{}", caller.user_id()))?;
    let page = app.my_conversations(caller.bearer(), paging.after.as_deref(), paging.limit).await?;
    let next_cursor = paging.next_cursor(&app.cursors, page.next);
    json(StatusCode::OK, &ConversationList { conversations: page.conversations, next_cursor })
}

/// A conversation's messages, newest first (members only; others get 404).
#[utoipa::path(get, path = "/conversations/{id}/messages", tag = "chat", security(("bearer" = [])),
    params(
        ("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}-[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Conversation id: the two member ids, the smaller first"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 50, description = "Page size, 1-50 (default 20)"),
        ("cursor" = Option<String>, Query, description = "From the previous page's next_cursor"),
    ),
    responses(
        (status = 200, description = "A page of messages", body = MessageList),
        (status = 404, description = "No such conversation of yours"),
    ))]
async fn list_messages(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let conversation = path_resource(request, "id", ConversationId::parse)?;
    let paging = PageRequest::parse(request, &app.cursors, format!("messages:{conversation}"))?;
    let page = app.conversation_messages(caller.bearer(), &conversation, paging.after.as_deref(), paging.limit).await?;
    let next_cursor = paging.next_cursor(&app.cursors, page.next);
    json(StatusCode::OK, &MessageList { messages: page.messages, next_cursor })
}
