//! Runs the `admin-stats` handler on the Lambda runtime.

fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve(shared::config::Keys::CHECK, admin_stats::handler)
}
