//! The local Stripe (localstripe behind the stand-in in infra/stripe) as tests use it:
//! each test is its own Stripe account (its own `sk_test_` key), so the stand-in sends a
//! test only the events of its own objects, signed with its own endpoint's secret.

use std::sync::Arc;
use std::time::Duration;

use dev_gateway::{Gateway, handlers, local};
use serde_json::Value;
use shared::App;
use shared::adapters::stripe::StripeApi;
use shared::startup::{self, Clients};

use crate::{TestClock, fresh_table, template};

/// The stand-in's base URL (`STRIPE_API_BASE`, set by `make test`).
pub fn api_base() -> String {
    std::env::var("STRIPE_API_BASE")
        .ok()
        .filter(|v| !v.is_empty())
        .expect("STRIPE_API_BASE is not set: run the tests with `make test`, which starts the local Stripe")
}

/// One test's Stripe account: its key and its webhook endpoint's secret.
pub struct StripeAccount {
    /// The secret API key.
    pub key: String,
    /// The signing secret of the endpoint pointed at the gateway.
    pub webhook_secret: String,
    http: reqwest::Client,
}

impl StripeAccount {
    /// POSTs form `fields` to the stand-in's `path` as this account.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}{}", api_base(), path.trim_start_matches('/')))
            .bearer_auth(&self.key)
            .form(fields)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// GETs the stand-in's `path` as this account.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = self
            .http
            .get(format!("{}{}", api_base(), path.trim_start_matches('/')))
            .bearer_auth(&self.key)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Signs this account's coming events at `clock`'s time, as Stripe would at that moment
    /// (the webhook function checks signatures against its own clock).
    pub async fn follow_clock(&self, clock: &TestClock) {
        use shared::ports::Clock;
        let now = clock.now().timestamp().to_string();
        let (status, body) = self.post("/_standin/clock", &[("now", &now)]).await;
        assert_eq!(status, 200, "{body}");
    }
}

/// The dev gateway over a fresh table with payments through a new Stripe account at the
/// stand-in, whose webhook endpoint points at this gateway; an app over the same table
/// and account for setup and checks; the account; the gateway's URL.
pub async fn payments_gateway(clock: Arc<TestClock>) -> (&'static App, StripeAccount, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let url = format!("http://{address}");
    let key = format!("sk_test_{}", ulid::Ulid::new());
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut account = StripeAccount { key, webhook_secret: String::new(), http };
    let (status, endpoint) = account
        .post("/v1/webhook_endpoints", &[("url", &format!("{url}/webhooks/stripe")), ("enabled_events[]", "*")])
        .await;
    assert_eq!(status, 200, "{endpoint}");
    account.webhook_secret = endpoint["secret"].as_str().unwrap().to_owned();
    account.follow_clock(&clock).await;

    let (client, name) = fresh_table().await;
    let config = local::config(&name, &crate::endpoint()).unwrap();
    let stripe = || {
        StripeApi::new(Some(&account.key), Some(&account.webhook_secret), Some(&api_base()), "http://localhost:5173")
            .unwrap()
    };
    let app = startup::build(&config, Clients::new(client.clone()).with_payments(stripe()), clock.clone());
    let gateway = Gateway::new(app, template().clone(), &handlers::functions(), &handlers::events())
        .unwrap()
        .with_clock(clock.clone());
    let router = gateway.router().into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let setup: &'static App =
        Box::leak(Box::new(startup::build(&config, Clients::new(client).with_payments(stripe()), clock)));
    (setup, account, url)
}

/// Polls `check` every 50 ms until it holds, for at most 10 s (webhooks arrive a moment
/// after what causes them).
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: not within 10 s");
}
