//! Runs the `payouts-job` handler on the Lambda runtime.

// The invocation wrapper nests the handler's future deeper than the default limit when the
// release build computes the layout of the runtime's future.
#![recursion_limit = "256"]

fn main() -> Result<(), lambda_runtime::Error> {
    shared::runtime::serve_paying_events(shared::config::Keys::PAY, payouts_job::handler)
}
