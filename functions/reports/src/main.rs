//! Runs the `reports` handler on the Lambda runtime.

fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve(shared::config::Keys::CHECK, reports::handler)
}
