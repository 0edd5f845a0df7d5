//! The realtime stack for tests: the dev gateway with its WebSocket API, stream poller and
//! SNS fan-out into the moto server `make test` starts, and a WebSocket client.

use std::sync::Arc;
use std::time::Duration;

use dev_gateway::stream::{StreamPoller, local_streams_client};
use dev_gateway::{Gateway, handlers, local};
use futures::{SinkExt as _, StreamExt as _};
use serde_json::Value;
use shared::App;
use shared::startup::{self, Clients};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

use super::{STARTS_AT, TestClock, clock_at, endpoint, fresh_table, template};

/// The moto server (S3, SNS) endpoint started by `make test` (infra/stack.sh).
pub fn moto_endpoint() -> String {
    std::env::var("MOTO_ENDPOINT")
        .expect("MOTO_ENDPOINT is not set: run the tests with `make test`, which starts the moto server")
}

/// A running gateway with both APIs, the stream feeding `deliver`, and a topic of its own.
pub struct Realtime {
    /// An app over the same table, pushing through the same gateway and topic.
    pub app: &'static App,
    /// The gateway, for its open connections.
    pub gateway: Arc<Gateway>,
    /// HTTP API base URL.
    pub http: String,
    /// WebSocket API URL (with the stage).
    pub ws: String,
    /// The notifications topic's ARN in moto.
    pub topic_arn: String,
}

/// Starts the realtime stack over a fresh table.
pub async fn realtime() -> Realtime {
    realtime_with_clock(clock_at(STARTS_AT)).await
}

/// As [`realtime`], with both apps on `clock` (which `/_local/clock` moves).
pub async fn realtime_with_clock(clock: Arc<TestClock>) -> Realtime {
    let (client, name) = fresh_table().await;
    let config = local::config(&name, &endpoint()).unwrap();
    let http_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let http_address = http_listener.local_addr().unwrap();
    let ws_address = ws_listener.local_addr().unwrap();
    let connections = format!("http://{ws_address}");
    let topic = local::notification_topic(&moto_endpoint(), &format!("test-{}", ulid::Ulid::new())).await.unwrap();
    let topic_arn = topic.arn().to_owned();
    let clients = Clients::new(client.clone()).with_push(local::connections_api(&connections)).with_fanout(topic);
    let app = startup::build(&config, clients.clone(), clock.clone());
    let gateway = Arc::new(
        Gateway::new(app, template().clone(), &handlers::functions(), &handlers::events())
            .unwrap()
            .with_clock(clock.clone()),
    );
    let poller = StreamPoller::new(client.clone(), local_streams_client(&endpoint()), &name)
        .from_trim_horizon(true)
        .poll_interval(Duration::from_millis(50));
    Gateway::spawn_stream_poller(&gateway, poller);
    let http = Gateway::http_router(&gateway).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let websocket = Gateway::websocket_router(&gateway).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(http_listener, http).await });
    tokio::spawn(async move { axum::serve(ws_listener, websocket).await });
    let setup = startup::build(&config, clients, clock);
    Realtime {
        app: Box::leak(Box::new(setup)),
        ws: format!("ws://{ws_address}/{}", gateway.stage()),
        gateway,
        http: format!("http://{http_address}"),
        topic_arn,
    }
}

impl Realtime {
    /// Replays the whole table stream into `function` with its template subscriptions: a
    /// fresh reader from the trim horizon, as after a redelivery. The records delivered.
    pub async fn replay_stream(&self, function: &str) -> usize {
        let mut replay = StreamPoller::new(
            self.app.store.client().clone(),
            local_streams_client(&endpoint()),
            self.app.store.table(),
        )
        .from_trim_horizon(true);
        let subscriptions: Vec<_> = template().streams.iter().filter(|s| s.function == function).cloned().collect();
        let gateway = Arc::clone(&self.gateway);
        let invoke = |function: String, event: Value| {
            let gateway = Arc::clone(&gateway);
            async move { gateway.invoke_event(&function, event).await }
        };
        replay.poll_once(&subscriptions, &invoke).await.unwrap()
    }
}

/// A WebSocket client of the gateway.
pub struct WsClient {
    socket: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

/// How long a test waits for a frame (or an SNS delivery) that should come: a bound, not
/// an expectation. Generous, because on a loaded 2-core CI machine the stream poller and
/// the emulators share the cores with a dozen test binaries (5 s once proved too short).
pub const FRAME_WAIT: Duration = Duration::from_secs(15);

impl WsClient {
    /// Connects with `token`; the handshake's HTTP status when refused.
    pub async fn connect(url: &str, token: &str) -> Result<Self, u16> {
        let request = format!("{url}?token={token}").into_client_request().unwrap();
        match tokio_tungstenite::connect_async(request).await {
            Ok((socket, _)) => Ok(Self { socket }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
            Err(other) => panic!("websocket connect failed: {other}"),
        }
    }

    /// Sends a text frame.
    pub async fn send(&mut self, frame: &Value) {
        self.socket.send(Message::Text(frame.to_string().into())).await.unwrap();
    }

    /// Sends raw text.
    pub async fn send_text(&mut self, text: &str) {
        self.socket.send(Message::Text(text.to_owned().into())).await.unwrap();
    }

    /// The next text frame as JSON, or `None` when none comes within `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.socket.next()).await.ok()??;
            match frame {
                Ok(Message::Text(text)) => return Some(serde_json::from_str(&text).unwrap()),
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// The next frame of `kind` (`"type"`), skipping others; panics when none comes.
    pub async fn expect(&mut self, kind: &str) -> Value {
        let deadline = tokio::time::Instant::now() + FRAME_WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_within(left).await {
                Some(frame) if frame["type"] == kind => return frame,
                Some(_) => {}
                None => panic!("no {kind} frame within {FRAME_WAIT:?}"),
            }
        }
    }

    /// Closes the socket politely.
    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}

/// Messages published to `topic_arn` in moto: (message JSON, message attributes).
pub async fn published(topic_arn: &str) -> Vec<(Value, Value)> {
    let data: Value =
        reqwest::get(format!("{}/moto-api/data.json", moto_endpoint())).await.unwrap().json().await.unwrap();
    let topics = data["sns"]["Topic"].as_array().cloned().unwrap_or_default();
    let Some(topic) = topics.into_iter().find(|t| t["arn"] == topic_arn) else { return Vec::new() };
    topic["sent_notifications"]
        .as_array()
        .map(|sent| {
            sent.iter()
                .map(|entry| {
                    let message = entry[1].as_str().and_then(|m| serde_json::from_str(m).ok()).unwrap_or(Value::Null);
                    (message, entry[3].clone())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Waits until `check` holds for what was published to `topic_arn`.
pub async fn wait_published(topic_arn: &str, check: impl Fn(&[(Value, Value)]) -> bool) -> Vec<(Value, Value)> {
    let deadline = tokio::time::Instant::now() + FRAME_WAIT;
    loop {
        let sent = published(topic_arn).await;
        if check(&sent) || tokio::time::Instant::now() > deadline {
            return sent;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
