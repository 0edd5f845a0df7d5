//! Runs the `award-points` handler on the Lambda runtime.

fn main() -> Result<(), lambda_runtime::Error> {
    shared::runtime::serve_events(award_points::handler)
}
