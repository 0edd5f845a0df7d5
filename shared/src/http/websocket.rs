//! WebSocket edge: API Gateway WebSocket events in; status responses and frames out.
//!
//! Failures reach the client as an error frame: the problem document of the HTTP API with
//! `"type": "error"` and the action (and client message id) it answers.

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::encodings::Body;
use http::StatusCode;
use serde::Serialize;

use super::{ApiError, Problem};
use crate::domain::ConnectionId;

/// The largest frame API Gateway accepts from a client (32 KB frames, 128 KB messages);
/// chat frames are far smaller, so anything above one frame is refused before parsing.
pub const MAX_FRAME_BYTES: usize = 32 * 1024;

/// The connection an event came from.
pub fn connection_id(event: &ApiGatewayWebsocketProxyRequest) -> Result<ConnectionId, ApiError> {
    let raw = event.request_context.connection_id.as_deref().unwrap_or_default();
    ConnectionId::parse(raw).map_err(|reason| ApiError::field("requestContext.connectionId", &reason))
}

/// The route API Gateway matched (`$connect`, `sendMessage`, `$default`, ...).
pub fn ws_route(event: &ApiGatewayWebsocketProxyRequest) -> &str {
    event.request_context.route_key.as_deref().unwrap_or("$default")
}

/// A response with `status` and an optional body (for routes with a route response,
/// API Gateway sends the body to the calling connection).
pub fn ws_response(status: StatusCode, body: Option<String>) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = i64::from(status.as_u16());
    response.body = body.map(Body::Text);
    response
}

/// A refused `$connect` (the handshake fails with this status) or a failed route call.
pub fn ws_error(error: ApiError) -> ApiGatewayProxyResponse {
    let status = error.status();
    ws_response(status, Some(error_frame(error, None, None)))
}

#[derive(Serialize)]
struct ErrorFrame<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_msg_id: Option<&'a str>,
    /// For a limit: seconds until the client may send again.
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
    problem: Problem,
}

/// An error frame answering `action` (and the send `client_msg_id`, when known).
pub fn error_frame(error: ApiError, action: Option<&str>, client_msg_id: Option<&str>) -> String {
    let problem = error.into_problem();
    let frame = ErrorFrame { kind: "error", action, client_msg_id, retry_after: problem.retry_after, problem };
    serde_json::to_string(&frame).unwrap_or_else(|_| String::from(r#"{"type":"error"}"#))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::domain::Invalid;

    #[test]
    fn error_frames_name_the_field_and_the_action() {
        let frame =
            error_frame(ApiError::field("text", &Invalid::new("must not be empty")), Some("sendMessage"), Some("c1"));
        let value: serde_json::Value = serde_json::from_str(&frame).unwrap();
        assert_eq!(value["type"], "error");
        assert_eq!(value["action"], "sendMessage");
        assert_eq!(value["client_msg_id"], "c1");
        assert_eq!(value["problem"]["status"], 400);
        assert_eq!(value["problem"]["errors"][0]["field"], "text");
        assert_eq!(value["problem"]["type"], "urn:peerlearn:problem:validation");
    }

    #[test]
    fn limit_frames_carry_the_429_problem_and_when_to_retry() {
        let error = ApiError::TooManyRequests { limit: crate::domain::LimitKind::MessagesPerMember, retry_after: 42 };
        let frame = error_frame(error, Some("sendMessage"), Some("c9"));
        let value: serde_json::Value = serde_json::from_str(&frame).unwrap();
        assert_eq!(value["retry_after"], 42);
        assert_eq!(value["problem"]["status"], 429);
        assert_eq!(value["problem"]["type"], "urn:peerlearn:problem:rate-limited");
        assert_eq!(value["problem"]["limit"], "messages_per_member");
        assert_eq!(value["problem"]["retry_after"], 42);
    }

    #[test]
    fn refusals_carry_their_status() {
        let response = ws_error(ApiError::Unauthenticated("no"));
        assert_eq!(response.status_code, 401);
    }
}
