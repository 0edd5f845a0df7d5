//! What one invocation knows about itself, readable anywhere inside it: a task-local set by
//! [`crate::runtime`] around each invocation, so the request id, the caller and the AWS
//! time reach the log line, the problem document and the metrics without being passed down.

use std::cell::RefCell;
use std::future::Future;

tokio::task_local! {
    static CURRENT: Invocation;
}

/// One invocation: set at its start, read while it runs.
#[derive(Debug)]
pub struct Invocation {
    /// The id the client gets back (API Gateway's request id; the Lambda request id for events).
    pub request_id: String,
    /// The function's name, a metric dimension.
    pub function: &'static str,
    /// The X-Ray trace header of the invocation (`Root=…;Parent=…;Sampled=…`), when traced.
    pub trace_header: Option<String>,
    state: RefCell<State>,
}

/// What the invocation learns as it runs.
#[derive(Debug, Default, Clone)]
pub struct State {
    /// The authenticated caller's user id.
    pub member: Option<String>,
    /// AWS calls made so far.
    pub aws_calls: u32,
    /// Their total time, in milliseconds.
    pub aws_ms: u64,
}

impl Invocation {
    /// A fresh invocation.
    pub fn new(request_id: String, function: &'static str, trace_header: Option<String>) -> Self {
        Self { request_id, function, trace_header, state: RefCell::default() }
    }
}

/// Runs `future` as `invocation`; returns its output and what the invocation learned.
pub async fn within<F: Future>(invocation: Invocation, future: F) -> (F::Output, State) {
    CURRENT
        .scope(invocation, async move {
            let output = future.await;
            let state = CURRENT.try_with(|current| current.state.borrow().clone()).unwrap_or_default();
            (output, state)
        })
        .await
}

/// The current invocation's request id, if inside one.
pub fn request_id() -> Option<String> {
    CURRENT.try_with(|current| current.request_id.clone()).ok()
}

/// The current function's name (`unknown` outside an invocation, as in unit tests).
pub fn function() -> &'static str {
    CURRENT.try_with(|current| current.function).unwrap_or("unknown")
}

/// The current invocation's X-Ray trace header, if it has one.
pub fn trace_header() -> Option<String> {
    CURRENT.try_with(|current| current.trace_header.clone()).ok().flatten()
}

/// Records the authenticated caller for the request's log line (an id, never more).
pub fn record_member(user_id: String) {
    let _ = CURRENT.try_with(|current| current.state.borrow_mut().member = Some(user_id));
}

/// Counts one AWS call of `ms` milliseconds towards the invocation's total.
pub fn record_aws_call(ms: u64) {
    let _ = CURRENT.try_with(|current| {
        let mut state = current.state.borrow_mut();
        state.aws_calls += 1;
        state.aws_ms += ms;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_scope_is_seen_inside_and_not_outside() {
        assert_eq!(request_id(), None);
        assert_eq!(function(), "unknown");
        record_member("ignored".into());
        let invocation = Invocation::new("req-1".into(), "register", Some("Root=1-a-b".into()));
        let (seen, state) = within(invocation, async {
            record_member("01MEMBER".into());
            record_aws_call(3);
            record_aws_call(4);
            (request_id(), function(), trace_header())
        })
        .await;
        assert_eq!(seen, (Some("req-1".into()), "register", Some("Root=1-a-b".into())));
        assert_eq!(state.member.as_deref(), Some("01MEMBER"));
        assert_eq!((state.aws_calls, state.aws_ms), (2, 7));
        assert_eq!(request_id(), None);
    }
}
