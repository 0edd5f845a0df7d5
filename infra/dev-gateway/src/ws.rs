//! The WebSocket side of the gateway, as API Gateway runs a WebSocket API: assigns
//! connection ids, calls `$connect` during the handshake (a non-200 answer refuses it),
//! routes each text frame by its `action` (else `$default`), sends a route's response
//! back when the route has one, calls `$disconnect` when a socket closes, and serves the
//! `@connections` management endpoint that aws-sdk-apigatewaymanagement posts to
//! (410 Gone for connections that are gone; 403 for requests not signed with the local
//! credentials).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, FromRequestParts, Path, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use http::{HeaderMap, StatusCode, header};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

use crate::connections::{MAX_FRAME_BYTES, MAX_MESSAGE_BYTES, Outbound, Socket, management_error};
use crate::gateway::Gateway;

// Defined here, not in gateway.rs, so the gateway does not depend on its WebSocket side.
impl Gateway {
    /// The WebSocket API's router: the handshake at any path (`/` or `/<stage>`), and the
    /// management endpoint at `/@connections/{id}` and `/<stage>/@connections/{id}`, which,
    /// as in AWS, answers only SigV4-signed requests (403 otherwise; see `sigv4.rs`).
    pub fn websocket_router(gateway: &Arc<Self>) -> axum::Router {
        router(Arc::clone(gateway))
    }
}

fn router(gateway: Arc<Gateway>) -> axum::Router {
    let management = axum::Router::new()
        .route("/@connections/{id}", post(post_to_connection).get(get_connection).delete(delete_connection))
        .route(
            "/{stage}/@connections/{id}",
            post(staged_post_to_connection).get(staged_get_connection).delete(staged_delete_connection),
        )
        .route_layer(axum::middleware::from_fn(crate::sigv4::require_local_signature));
    axum::Router::new().merge(management).fallback(upgrade).with_state(gateway)
}

/// Connection ids look like API Gateway's: 16 characters of base64.
fn new_connection_id() -> String {
    let bits = ulid::Ulid::new().0.to_be_bytes();
    STANDARD.encode(&bits[5..])
}

/// The request context every WebSocket event carries.
struct Context {
    connection_id: String,
    connected_at: DateTime<Utc>,
    domain: String,
    stage: String,
    source_ip: String,
    user_agent: String,
}

impl Context {
    fn event(&self, route_key: &str, event_type: &str, extra: Map<String, Value>) -> Value {
        let now = Utc::now();
        let request_id = ulid::Ulid::new().to_string();
        let mut context = json!({
            "routeKey": route_key,
            "eventType": event_type,
            "extendedRequestId": request_id,
            "requestTime": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "messageDirection": "IN",
            "stage": self.stage,
            "connectedAt": self.connected_at.timestamp_millis(),
            "requestTimeEpoch": now.timestamp_millis(),
            "identity": {"sourceIp": self.source_ip, "userAgent": self.user_agent},
            "requestId": request_id,
            "domainName": self.domain,
            "connectionId": self.connection_id,
            "apiId": "local",
        });
        if let Some(object) = context.as_object_mut() {
            object.extend(extra);
        }
        json!({"requestContext": context, "isBase64Encoded": false})
    }
}

fn headers_json(headers: &HeaderMap) -> (Value, Value) {
    let mut single = Map::new();
    let mut multi = Map::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        single.insert(name.as_str().to_owned(), Value::String(value.clone()));
        match multi.get_mut(name.as_str()) {
            Some(Value::Array(values)) => values.push(Value::String(value)),
            _ => {
                multi.insert(name.as_str().to_owned(), json!([value]));
            }
        }
    }
    (Value::Object(single), Value::Object(multi))
}

fn query_json(query: &str) -> (Value, Value) {
    let mut single = Map::new();
    let mut multi = Map::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        single.insert(key.to_string(), Value::String(value.to_string()));
        match multi.get_mut(key.as_ref()) {
            Some(Value::Array(values)) => values.push(Value::String(value.into_owned())),
            _ => {
                multi.insert(key.into_owned(), json!([value]));
            }
        }
    }
    if single.is_empty() {
        return (Value::Null, Value::Null);
    }
    (Value::Object(single), Value::Object(multi))
}

/// The status and body of a Lambda proxy response.
fn proxy_response(result: &Value) -> (u16, Option<String>) {
    let status = result.get("statusCode").and_then(Value::as_u64).and_then(|s| u16::try_from(s).ok()).unwrap_or(200);
    let body = result.get("body").and_then(Value::as_str).map(str::to_owned);
    (status, body)
}

async fn upgrade(State(gateway): State<Arc<Gateway>>, request: Request) -> Response {
    let (mut parts, _body) = request.into_parts();
    let source_ip = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "127.0.0.1".into());
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &gateway).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let Some(connect) = gateway.websocket_function("$connect") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let context = Context {
        connection_id: new_connection_id(),
        connected_at: Utc::now(),
        domain: parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost").to_owned(),
        stage: gateway.stage().to_owned(),
        source_ip,
        user_agent: parts.headers.get(header::USER_AGENT).and_then(|h| h.to_str().ok()).unwrap_or("").to_owned(),
    };
    let (headers, multi_headers) = headers_json(&parts.headers);
    let (query, multi_query) = query_json(parts.uri.query().unwrap_or(""));
    let mut event = context.event("$connect", "CONNECT", Map::new());
    if let Some(object) = event.as_object_mut() {
        object.insert("headers".into(), headers);
        object.insert("multiValueHeaders".into(), multi_headers);
        object.insert("queryStringParameters".into(), query);
        object.insert("multiValueQueryStringParameters".into(), multi_query);
    }
    let (status, body) = match gateway.invoke_event(&connect, event).await {
        Ok(result) => proxy_response(&result),
        Err(error) => {
            tracing::error!(%error, "$connect failed");
            (500, None)
        }
    };
    if status != 200 {
        // The handshake is refused with the function's status, as API Gateway does.
        let mut response = Response::new(Body::from(body.unwrap_or_default()));
        *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN);
        return response;
    }
    let (tx, rx) = mpsc::unbounded_channel();
    gateway.hub().with(|sockets| {
        sockets.insert(
            context.connection_id.clone(),
            Socket {
                tx,
                connected_at: context.connected_at,
                last_active: context.connected_at,
                source_ip: context.source_ip.clone(),
                user_agent: context.user_agent.clone(),
            },
        )
    });
    tracing::info!(connection = %context.connection_id, "websocket connected");
    upgrade
        .max_frame_size(MAX_FRAME_BYTES)
        .max_message_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| run(gateway, context, socket, rx))
}

/// Pumps one socket until either side closes it, then calls `$disconnect`.
async fn run(
    gateway: Arc<Gateway>,
    context: Context,
    mut socket: WebSocket,
    mut rx: mpsc::UnboundedReceiver<Outbound>,
) {
    let context = Arc::new(context);
    let (status, reason) = loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    tokio::spawn(route_frame(Arc::clone(&gateway), Arc::clone(&context), text.to_string()));
                }
                Some(Ok(Message::Binary(bytes))) => {
                    // Chat frames are JSON text; a binary one is routed as its text would be.
                    tokio::spawn(route_frame(Arc::clone(&gateway), Arc::clone(&context), String::from_utf8_lossy(&bytes).into_owned()));
                }
                Some(Ok(Message::Close(frame))) => {
                    break (frame.as_ref().map_or(1005, |f| f.code), frame.map(|f| f.reason.to_string()).unwrap_or_default());
                }
                Some(Ok(_)) => {}
                Some(Err(error)) => break (1006, error.to_string()),
                None => break (1006, "Going away".into()),
            },
            outbound = rx.recv() => match outbound {
                Some(Outbound::Text(text)) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break (1006, "send failed".into());
                    }
                }
                Some(Outbound::Binary(bytes)) => {
                    if socket.send(Message::Binary(bytes)).await.is_err() {
                        break (1006, "send failed".into());
                    }
                }
                Some(Outbound::Close) => {
                    let _ = socket.send(Message::Close(Some(CloseFrame { code: 1000, reason: "Goodbye".into() }))).await;
                    break (1000, "Connection closed by the server".into());
                }
                // Dropped from the hub without a close: the client simply stops hearing.
                None => return,
            },
        }
    };
    let known = gateway.hub().with(|sockets| sockets.remove(&context.connection_id)).is_some();
    if !known {
        return;
    }
    tracing::info!(connection = %context.connection_id, status, "websocket closed");
    if let Some(disconnect) = gateway.websocket_function("$disconnect") {
        let extra = Map::from_iter([
            ("disconnectStatusCode".to_owned(), json!(status)),
            ("disconnectReason".to_owned(), json!(reason)),
        ]);
        let event = context.event("$disconnect", "DISCONNECT", extra);
        if let Err(error) = gateway.invoke_event(&disconnect, event).await {
            tracing::error!(%error, "$disconnect failed");
        }
    }
}

/// Routes one frame by its `action` (route selection `$request.body.action`).
async fn route_frame(gateway: Arc<Gateway>, context: Arc<Context>, text: String) {
    let action = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v.get("action").and_then(Value::as_str).map(str::to_owned));
    let route = action.filter(|a| gateway.websocket_route(a).is_some()).unwrap_or_else(|| "$default".to_owned());
    let request_id = ulid::Ulid::new().to_string();
    let Some((function, replies)) = gateway.websocket_route(&route) else {
        // No $default route: API Gateway answers with its own error message.
        let reply = json!({"message": "Forbidden", "connectionId": context.connection_id, "requestId": request_id});
        gateway.hub().send(&context.connection_id, Outbound::Text(reply.to_string()));
        return;
    };
    let extra = Map::from_iter([("messageId".to_owned(), json!(request_id))]);
    let mut event = context.event(&route, "MESSAGE", extra);
    if let Some(object) = event.as_object_mut() {
        object.insert("body".into(), Value::String(text));
    }
    match gateway.invoke_event(&function, event).await {
        Ok(result) => {
            let (_, body) = proxy_response(&result);
            if let (true, Some(body)) = (replies, body) {
                gateway.hub().send(&context.connection_id, Outbound::Text(body));
            }
        }
        Err(error) => {
            tracing::error!(%error, %route, "websocket route failed");
            let reply = json!({"message": "Internal server error", "connectionId": context.connection_id, "requestId": request_id});
            gateway.hub().send(&context.connection_id, Outbound::Text(reply.to_string()));
        }
    }
}

async fn post_to_connection(State(gateway): State<Arc<Gateway>>, Path(id): Path<String>, body: Bytes) -> Response {
    post_to(&gateway, &id, body)
}

async fn staged_post_to_connection(
    State(gateway): State<Arc<Gateway>>,
    Path((_stage, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    post_to(&gateway, &id, body)
}

fn post_to(gateway: &Gateway, id: &str, body: Bytes) -> Response {
    if body.len() > MAX_MESSAGE_BYTES {
        return management_error(StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLargeException");
    }
    let message = match String::from_utf8(body.to_vec()) {
        Ok(text) => Outbound::Text(text),
        Err(_) => Outbound::Binary(body),
    };
    if gateway.hub().send(id, message) {
        StatusCode::OK.into_response()
    } else {
        management_error(StatusCode::GONE, "GoneException")
    }
}

async fn get_connection(State(gateway): State<Arc<Gateway>>, Path(id): Path<String>) -> Response {
    connection_info(&gateway, &id)
}

async fn staged_get_connection(
    State(gateway): State<Arc<Gateway>>,
    Path((_stage, id)): Path<(String, String)>,
) -> Response {
    connection_info(&gateway, &id)
}

fn connection_info(gateway: &Gateway, id: &str) -> Response {
    let info = gateway.hub().with(|sockets| {
        sockets.get(id).map(|s| {
            json!({
                "connectedAt": s.connected_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "identity": {"sourceIp": s.source_ip, "userAgent": s.user_agent},
                "lastActiveAt": s.last_active.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            })
        })
    });
    match info {
        Some(info) => axum::Json(info).into_response(),
        None => management_error(StatusCode::GONE, "GoneException"),
    }
}

async fn delete_connection(State(gateway): State<Arc<Gateway>>, Path(id): Path<String>) -> Response {
    close(&gateway, &id)
}

async fn staged_delete_connection(
    State(gateway): State<Arc<Gateway>>,
    Path((_stage, id)): Path<(String, String)>,
) -> Response {
    close(&gateway, &id)
}

fn close(gateway: &Gateway, id: &str) -> Response {
    if gateway.hub().send(id, Outbound::Close) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        management_error(StatusCode::GONE, "GoneException")
    }
}
