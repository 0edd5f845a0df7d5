//! Runs the `notifications` handler on the Lambda runtime.

fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve(notifications::handler)
}
