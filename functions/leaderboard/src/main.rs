//! Runs the `leaderboard` handler on the Lambda runtime.

fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve(leaderboard::handler)
}
