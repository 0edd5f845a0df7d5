//! Every AWS call, timed: an SDK interceptor added to each client where it is built. Each
//! call becomes a `debug` event (service, operation, milliseconds, outcome), counts towards
//! the invocation's `aws_calls` and `aws_ms` on the request's log line, and, when the
//! invocation is traced and an X-Ray daemon is configured (`AWS_XRAY_DAEMON_ADDRESS`, set
//! by Lambda), goes to the daemon as an X-Ray subsegment: one UDP datagram, no thread, no
//! buffer. Locally nothing is sent unless a daemon is configured.

use std::net::{SocketAddr, UdpSocket};
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use serde_json::{Value, json};

/// The interceptor. Cheap to clone; add one to every SDK client.
#[derive(Debug, Clone, Default)]
pub struct AwsCalls {
    daemon: Option<SocketAddr>,
}

impl AwsCalls {
    /// Sends subsegments to the daemon named by `AWS_XRAY_DAEMON_ADDRESS`, if set.
    pub fn from_env() -> Self {
        Self { daemon: std::env::var("AWS_XRAY_DAEMON_ADDRESS").ok().as_deref().and_then(daemon_address) }
    }

    /// Sends subsegments to `daemon` (tests).
    pub fn to_daemon(daemon: SocketAddr) -> Self {
        Self { daemon: Some(daemon) }
    }
}

/// The UDP address in `AWS_XRAY_DAEMON_ADDRESS`: `host:port`, or `tcp:… udp:…` pairs.
fn daemon_address(value: &str) -> Option<SocketAddr> {
    value
        .split_whitespace()
        .filter(|part| !part.starts_with("tcp:"))
        .find_map(|part| part.strip_prefix("udp:").unwrap_or(part).parse().ok())
}

/// When the call started, kept in the call's config bag between the two hooks.
#[derive(Debug, Clone)]
struct Started {
    at: Instant,
    wall: SystemTime,
}

impl Storable for Started {
    type Storer = StoreReplace<Self>;
}

/// How a call ended, as X-Ray classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    /// A 4xx: the request was refused (a failed condition is one).
    Error,
    /// A 429 or a throttling error.
    Throttle,
    /// A 5xx, or no response at all.
    Fault,
}

impl Outcome {
    fn of(status: Option<u16>) -> Self {
        match status {
            Some(200..=399) => Outcome::Ok,
            Some(429) => Outcome::Throttle,
            Some(400..=499) => Outcome::Error,
            _ => Outcome::Fault,
        }
    }

    const fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Throttle => "throttle",
            Outcome::Fault => "fault",
        }
    }
}

impl Intercept for AwsCalls {
    fn name(&self) -> &'static str {
        "AwsCalls"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(Started { at: Instant::now(), wall: SystemTime::now() });
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(started) = cfg.load::<Started>() else { return Ok(()) };
        let elapsed = started.at.elapsed();
        let (service, operation) = cfg.load::<Metadata>().map_or(("unknown", "unknown"), |m| (m.service(), m.name()));
        let response = context.response();
        let status = response.map(|r| r.status().as_u16());
        let outcome = Outcome::of(status);
        let ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        // The SDK's own spans are innermost here, so the request id is named explicitly.
        tracing::debug!(
            request_id = super::scope::request_id(),
            service,
            operation,
            ms,
            outcome = outcome.as_str(),
            "aws call"
        );
        super::scope::record_aws_call(ms);
        if let Some(daemon) = self.daemon
            && let Some(trace) = super::scope::trace_header().as_deref().and_then(TraceHeader::parse)
        {
            let aws_request_id = response.and_then(|r| r.headers().get("x-amzn-requestid"));
            let call = Call { service, operation, started: started.wall, elapsed, status, outcome, aws_request_id };
            send(daemon, &subsegment(&trace, &call));
        }
        Ok(())
    }
}

/// The parts of an X-Ray trace header (`Root=1-…;Parent=…;Sampled=1`) a subsegment needs.
#[derive(Debug, PartialEq, Eq)]
struct TraceHeader<'a> {
    root: &'a str,
    parent: &'a str,
}

impl<'a> TraceHeader<'a> {
    /// The header's root and parent, when both are present and the trace is sampled.
    fn parse(header: &'a str) -> Option<Self> {
        let (mut root, mut parent, mut sampled) = (None, None, true);
        for part in header.split(';') {
            match part.trim().split_once('=') {
                Some(("Root", value)) => root = Some(value),
                Some(("Parent", value)) => parent = Some(value),
                Some(("Sampled", value)) => sampled = value != "0",
                _ => {}
            }
        }
        sampled.then_some(Self { root: root?, parent: parent? })
    }
}

/// One finished AWS call.
struct Call<'a> {
    service: &'a str,
    operation: &'a str,
    started: SystemTime,
    elapsed: std::time::Duration,
    status: Option<u16>,
    outcome: Outcome,
    aws_request_id: Option<&'a str>,
}

/// The X-Ray subsegment document of `call` under `trace`.
fn subsegment(trace: &TraceHeader<'_>, call: &Call<'_>) -> Value {
    let start = call.started.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64();
    let mut document = json!({
        "name": call.service,
        "id": segment_id(),
        "trace_id": trace.root,
        "parent_id": trace.parent,
        "type": "subsegment",
        "namespace": "aws",
        "start_time": start,
        "end_time": start + call.elapsed.as_secs_f64(),
        "aws": {"operation": call.operation},
    });
    if let Some(id) = call.aws_request_id {
        document["aws"]["request_id"] = Value::from(id);
    }
    if let Some(status) = call.status {
        document["http"] = json!({"response": {"status": status}});
    }
    match call.outcome {
        Outcome::Ok => {}
        Outcome::Error => document["error"] = Value::Bool(true),
        Outcome::Throttle => {
            document["error"] = Value::Bool(true);
            document["throttle"] = Value::Bool(true);
        }
        Outcome::Fault => document["fault"] = Value::Bool(true),
    }
    document
}

/// A random 64-bit id in 16 hex digits, as X-Ray wants segment ids.
fn segment_id() -> String {
    let mut bytes = [0u8; 8];
    let id = match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        // Without randomness, the clock's nanoseconds still keep subsegments apart.
        Err(_) => SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().subsec_nanos().into(),
    };
    format!("{id:016x}")
}

/// Sends `document` to the daemon: the protocol header line, then the document. A lost
/// datagram loses one subsegment, never the call.
fn send(daemon: SocketAddr, document: &Value) {
    static SOCKET: OnceLock<Option<UdpSocket>> = OnceLock::new();
    let socket = SOCKET.get_or_init(|| {
        let any: SocketAddr = if daemon.is_ipv4() { ([0, 0, 0, 0], 0).into() } else { ([0u16; 8], 0).into() };
        UdpSocket::bind(any).ok()
    });
    let Some(socket) = socket else { return };
    let datagram = format!("{{\"format\":\"json\",\"version\":1}}\n{document}");
    if let Err(error) = socket.send_to(datagram.as_bytes(), daemon) {
        tracing::debug!(%error, "x-ray subsegment not sent");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_daemon_address_is_the_udp_one() {
        let udp: SocketAddr = "127.0.0.2:2001".parse().unwrap_or_else(|_| unreachable!());
        assert_eq!(daemon_address("127.0.0.2:2001"), Some(udp));
        assert_eq!(daemon_address("tcp:127.0.0.1:2000 udp:127.0.0.2:2001"), Some(udp));
        assert_eq!(daemon_address(""), None);
        assert_eq!(daemon_address("not an address"), None);
    }

    #[test]
    fn a_sampled_header_with_root_and_parent_is_traced() {
        let header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a:1";
        assert_eq!(
            TraceHeader::parse(header),
            Some(TraceHeader { root: "1-5759e988-bd862e3fe1be46a994272793", parent: "53995c3f42cd8ad8" })
        );
        assert_eq!(TraceHeader::parse("Root=1-a-b;Parent=c;Sampled=0"), None);
        assert_eq!(TraceHeader::parse("Root=1-a-b"), None);
    }

    #[test]
    fn a_refused_call_is_an_error_and_a_missing_response_a_fault() {
        assert_eq!(Outcome::of(Some(200)), Outcome::Ok);
        assert_eq!(Outcome::of(Some(400)), Outcome::Error);
        assert_eq!(Outcome::of(Some(429)), Outcome::Throttle);
        assert_eq!(Outcome::of(Some(503)), Outcome::Fault);
        assert_eq!(Outcome::of(None), Outcome::Fault);
        let trace = TraceHeader { root: "1-a-b", parent: "0123456789abcdef" };
        let call = Call {
            service: "DynamoDB",
            operation: "PutItem",
            started: UNIX_EPOCH,
            elapsed: std::time::Duration::from_millis(5),
            status: Some(400),
            outcome: Outcome::Error,
            aws_request_id: Some("REQ"),
        };
        let document = subsegment(&trace, &call);
        assert_eq!(document["error"], true);
        assert_eq!(document["aws"], json!({"operation": "PutItem", "request_id": "REQ"}));
        assert_eq!(document["end_time"], 0.005);
        assert_eq!(document["id"].as_str().map(str::len), Some(16));
    }
}
