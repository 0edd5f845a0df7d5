//! Runs the `admin-users` handler on the Lambda runtime.

fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve_pushing(shared::config::Keys::CHECK_AND_PAGE, admin_users::handler)
}
