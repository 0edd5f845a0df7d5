//! `send-message`: the WebSocket API's chat routes. `sendMessage` stores a message and
//! pushes it live; `markRead` moves the read marker and sends a read receipt; `typing`
//! tells the other member; `$default` (any other action) answers with an error frame.
//! Routes answer the calling connection through their route response: an `ack`, a
//! `read_marked` summary, or an error frame naming the field at fault (typing: errors only).

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::App;
use shared::app::{ChatTarget, ServerFrame};
use shared::domain::{ClientMsgId, ConversationId, ConversationSummary, MessageId, MessageText, UserId};
use shared::http::{
    ApiError, FieldError, MAX_FRAME_BYTES, connection_id, error_frame, parse_json_bytes, ws_response, ws_route,
};

/// `{"action": "sendMessage", ...}`: exactly one of `conversation_id` and `to_user_id`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendMessage {
    /// The route selector.
    pub action: String,
    /// An existing conversation of the sender's.
    #[serde(default)]
    pub conversation_id: Option<ConversationId>,
    /// A member to write to (starts the conversation if needed).
    #[serde(default)]
    pub to_user_id: Option<UserId>,
    /// 1 to 4000 characters.
    pub text: MessageText,
    /// The client's id for this send; a retry with the same id stores nothing new.
    pub client_msg_id: ClientMsgId,
}

/// `{"action": "markRead", "conversation_id": ..., "message_id": ...}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// The route selector.
    pub action: String,
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Read up to this message; the latest when absent.
    #[serde(default)]
    pub message_id: Option<MessageId>,
}

/// `{"action": "typing", "conversation_id": ...}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Typing {
    /// The route selector.
    pub action: String,
    /// The conversation.
    pub conversation_id: ConversationId,
}

/// The answer to `markRead`.
#[derive(Debug, Serialize)]
struct ReadFrame<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    conversation: &'a ConversationSummary,
}

/// The only field read before the action is known.
#[derive(Debug, Default, Deserialize)]
struct Envelope {
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    client_msg_id: Option<String>,
}

/// Lambda entry point for the chat routes.
pub async fn handler(
    app: &App,
    event: ApiGatewayWebsocketProxyRequest,
) -> Result<ApiGatewayProxyResponse, lambda_runtime::Error> {
    let route = ws_route(&event).to_owned();
    let body = event.body.as_deref().unwrap_or_default().as_bytes();
    let reply = match route_frame(app, &event, &route, body).await {
        Ok(frame) => frame,
        Err(error) => {
            if matches!(error, ApiError::Internal(_)) {
                tracing::error!(%error, %route, "chat route failed");
            }
            // Which action and send the error answers, when the frame says.
            let envelope: Envelope = serde_json::from_slice(body).unwrap_or_default();
            Some(error_frame(
                error,
                envelope.action.as_deref().or(Some(route.as_str())),
                envelope.client_msg_id.as_deref(),
            ))
        }
    };
    Ok(ws_response(StatusCode::OK, reply))
}

async fn route_frame(
    app: &App,
    event: &ApiGatewayWebsocketProxyRequest,
    route: &str,
    body: &[u8],
) -> Result<Option<String>, ApiError> {
    if body.len() > MAX_FRAME_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    let connection = connection_id(event)?;
    let known = matches!(route, "sendMessage" | "markRead" | "typing");
    if !known {
        return Err(ApiError::Validation(vec![FieldError::message(
            "action",
            "must be one of sendMessage, markRead, typing",
        )]));
    }
    // Refused once the connection's token expired (a 401 frame of type token-expired).
    let user = app.connection_owner(&connection).await?;
    match route {
        "sendMessage" => {
            let frame: SendMessage = parse_json_bytes(body)?;
            let target = match (frame.conversation_id, frame.to_user_id) {
                (Some(conversation), None) => ChatTarget::Conversation(conversation),
                (None, Some(to)) => ChatTarget::User(to),
                _ => {
                    return Err(ApiError::Validation(vec![FieldError::message(
                        "conversation_id",
                        "give exactly one of conversation_id and to_user_id",
                    )]));
                }
            };
            let delivery = app.send_message(&user, &connection, target, frame.text, frame.client_msg_id).await?;
            let message = &delivery.message;
            Ok(Some(ServerFrame::Ack { client_msg_id: &message.client_msg_id, message }.to_json()?))
        }
        "markRead" => {
            let frame: MarkRead = parse_json_bytes(body)?;
            let summary = app.mark_conversation_read(&user, &frame.conversation_id, frame.message_id).await?;
            let frame = ReadFrame { kind: "read_marked", conversation: &summary };
            serde_json::to_string(&frame).map(Some).map_err(ApiError::internal)
        }
        _ => {
            let frame: Typing = parse_json_bytes(body)?;
            app.typing(&user, &frame.conversation_id).await?;
            // Typing is fire-and-forget: no answer unless it fails.
            Ok(None)
        }
    }
}
