//! Runs the `deliver` handler on the Lambda runtime.

// The invocation wrapper nests the handler's future deeper than the default limit when the
// release build computes the layout of the runtime's future.
#![recursion_limit = "256"]

fn main() -> Result<(), lambda_runtime::Error> {
    shared::runtime::serve_pushing_events(shared::config::Keys::NONE, deliver::handler)
}
