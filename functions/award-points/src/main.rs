//! Runs the `award-points` handler on the Lambda runtime.

fn main() -> Result<(), lambda_runtime::Error> {
    shared::runtime::serve_events(shared::config::Keys::NONE, award_points::handler)
}
