//! Runs the `login` handler on the Lambda runtime.

fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve_mailing(shared::config::Keys::CREDENTIALS, login::handler)
}
