//! Runs the `profile` handler on the Lambda runtime.

fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve_with_links(shared::config::Keys::CHECK, profile::handler)
}
