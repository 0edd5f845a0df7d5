//! Runs the `payments` handler on the Lambda runtime.

fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve_paying(shared::config::Keys::CHECK_PAGE_AND_PAY, payments::handler)
}
