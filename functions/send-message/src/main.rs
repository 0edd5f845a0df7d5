//! Runs the `send-message` handler on the Lambda runtime.

fn main() -> Result<(), lambda_runtime::Error> {
    shared::runtime::serve_events(send_message::handler)
}
