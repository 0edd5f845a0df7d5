//! Runs the `stripe-webhook` handler on the Lambda runtime.

fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve_paying(shared::config::Keys::STRIPE_WEBHOOKS, stripe_webhook::handler)
}
