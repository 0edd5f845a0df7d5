//! Runs the `register` handler on the Lambda runtime.

fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve_mailing(shared::config::Keys::SIGN, register::handler)
}
