//! Runs the `ws-disconnect` handler on the Lambda runtime.

fn main() -> Result<(), lambda_runtime::Error> {
    shared::runtime::serve_events(ws_disconnect::handler)
}
