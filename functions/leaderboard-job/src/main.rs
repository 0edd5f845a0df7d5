//! Runs the `leaderboard-job` handler on the Lambda runtime.

fn main() -> Result<(), lambda_runtime::Error> {
    shared::runtime::serve_events(leaderboard_job::handler)
}
