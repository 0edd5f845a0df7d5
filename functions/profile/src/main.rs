//! Runs the `profile` handler on the Lambda runtime.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve(profile::handler).await
}
