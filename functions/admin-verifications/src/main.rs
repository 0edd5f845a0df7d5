//! Runs the `admin-verifications` handler on the Lambda runtime.

fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve_with_links(shared::config::Keys::CHECK_AND_PAGE, admin_verifications::handler)
}
