//! Clients for the local stack: DynamoDB Local takes any credentials. Every client sends
//! through [`crate::iam_http`]'s checking HTTP client, so the calls a function makes are
//! checked against its policy in template.yaml (see [`crate::iam`]).

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use shared::observability::aws_calls::AwsCalls;
use shared::startup::Clients;

/// A DynamoDB client for the endpoint of a local DynamoDB.
pub fn dynamo_client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(local_credentials())
        .endpoint_url(endpoint)
        .http_client(crate::iam_http::checking_default())
        .interceptor(AwsCalls::from_env())
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// The configuration the local functions run with: the given table and endpoint, and
/// every key, since one process hosts every function. Keys come from the environment
/// (`ACCESS_TOKEN_SIGNING_KEY` with `ACCESS_TOKEN_PUBLIC_KEYS`, `CURSOR_KEY`, in the
/// formats of template.yaml) or are made for this run: a fresh Ed25519 key pair, so
/// tokens from one run are refused by the next.
pub fn config(table: &str, endpoint: &str) -> Result<shared::config::Config, shared::config::ConfigError> {
    use shared::auth::SigningKey;
    use shared::config::ConfigError;
    let from_env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let (signing, public) = match (from_env("ACCESS_TOKEN_SIGNING_KEY"), from_env("ACCESS_TOKEN_PUBLIC_KEYS")) {
        (Some(signing), Some(public)) => (signing, public),
        _ => {
            let (signing, public) = SigningKey::generate("local")
                .map_err(|e| ConfigError::Invalid("ACCESS_TOKEN_SIGNING_KEY", e.reason()))?;
            (signing.to_json(), public.to_jwks())
        }
    };
    // Two ULIDs: 160 random bits, plenty for a key that lives one run.
    let cursor = from_env("CURSOR_KEY").unwrap_or_else(|| format!("{}{}", ulid::Ulid::new(), ulid::Ulid::new()));
    // The local Stripe stand-in (infra/stripe) takes any sk_test_ key; infra/stack.sh sets
    // the webhook endpoint's secret it registered for the gateway.
    let stripe_key = from_env("STRIPE_SECRET_KEY").unwrap_or_else(|| "sk_test_local".into());
    let webhook_secret = from_env("STRIPE_WEBHOOK_SECRET").unwrap_or_else(|| "whsec_local".into());
    // A code key per run, like the cursor key.
    let code_key = from_env("CODE_KEY").unwrap_or_else(|| format!("{}{}", ulid::Ulid::new(), ulid::Ulid::new()));
    let countries = from_env("PHONE_COUNTRIES").unwrap_or_else(|| PHONE_COUNTRIES.to_owned());
    let mut values = vec![
        ("CODE_KEY", code_key),
        ("PHONE_COUNTRIES", countries),
        ("TABLE_NAME", table.to_owned()),
        ("DYNAMODB_ENDPOINT", endpoint.to_owned()),
        ("ACCESS_TOKEN_SIGNING_KEY", signing),
        ("ACCESS_TOKEN_PUBLIC_KEYS", public),
        ("CURSOR_KEY", cursor),
        ("STRIPE_SECRET_KEY", stripe_key),
        ("STRIPE_WEBHOOK_SECRET", webhook_secret),
    ];
    for optional in ["STRIPE_API_BASE", "WEB_APP_URL", "SMS_DAILY_CAP"] {
        if let Some(value) = from_env(optional) {
            values.push((optional, value));
        }
    }
    let lookup = |name: &str| values.iter().find(|(key, _)| *key == name).map(|(_, value)| value.clone());
    shared::config::Config::from_lookup(shared::config::Keys::ALL, lookup)
}

/// Stripe at the local stand-in (`STRIPE_API_BASE`, set by infra/stack.sh) under the key
/// and webhook secret of `config`; `None` when no stand-in runs.
pub fn stripe(
    config: &shared::config::Config,
) -> Result<Option<shared::adapters::stripe::StripeApi>, shared::ports::PaymentError> {
    config
        .stripe_api_base
        .as_deref()
        .map(|base| {
            shared::adapters::stripe::StripeApi::new(
                config.stripe_secret_key.as_deref(),
                config.stripe_webhook_secret.as_deref(),
                Some(base),
                &config.web_app_url,
            )
            .map(|stripe| stripe.in_currency(config.currency))
        })
        .transpose()
}

/// A client of the local WebSocket API's `@connections` endpoint (the gateway itself).
pub fn connections_api(endpoint: &str) -> shared::adapters::realtime::ConnectionsApi {
    let config = aws_sdk_apigatewaymanagement::Config::builder()
        .behavior_version(aws_sdk_apigatewaymanagement::config::BehaviorVersion::latest())
        .region(aws_sdk_apigatewaymanagement::config::Region::new("us-east-1"))
        .credentials_provider(local_credentials())
        .endpoint_url(endpoint)
        .http_client(crate::iam_http::checking_default())
        .interceptor(AwsCalls::from_env())
        .build();
    shared::adapters::realtime::ConnectionsApi::new(aws_sdk_apigatewaymanagement::Client::from_conf(config))
}

/// An SNS client for the local emulator (moto server).
pub fn sns_client(endpoint: &str) -> aws_sdk_sns::Client {
    let config = aws_sdk_sns::Config::builder()
        .behavior_version(aws_sdk_sns::config::BehaviorVersion::latest())
        .region(aws_sdk_sns::config::Region::new("us-east-1"))
        .credentials_provider(local_credentials())
        .endpoint_url(endpoint)
        .http_client(crate::iam_http::checking_default())
        .interceptor(AwsCalls::from_env())
        .build();
    aws_sdk_sns::Client::from_conf(config)
}

/// Creates (or finds: CreateTopic is idempotent) topic `name` in the emulator and returns
/// the notifications fan-out over it.
pub async fn notification_topic(
    endpoint: &str,
    name: &str,
) -> Result<shared::adapters::sns::NotificationTopic, String> {
    let client = sns_client(endpoint);
    let created = client.create_topic().name(name).send().await.map_err(|e| format!("{e:?}"))?;
    let arn = created.topic_arn().ok_or("CreateTopic returned no ARN")?.to_owned();
    Ok(shared::adapters::sns::NotificationTopic::new(client, arn))
}

/// The countries texted locally: template.yaml's `SmsCountries` default.
pub const PHONE_COUNTRIES: &str = "US,CA,GB,IE,AU,NZ,DE,FR,ES,IT,NL,BE,AT,CH,SE,NO,DK,FI,PT,PL";

/// Texts through the emulator's SNS (moto server), which records them.
pub fn texts(endpoint: &str) -> shared::adapters::sms::SnsTexts {
    shared::adapters::sms::SnsTexts::new(sns_client(endpoint))
}

/// The domain local mail comes from: template.yaml's `MailDomain` default, which the
/// functions' policies name (a mismatch is refused by the local IAM check).
pub const MAIL_DOMAIN: &str = "peerlearn.example";

/// Mail through the emulator's SES (moto server), from `no-reply@` [`MAIL_DOMAIN`], whose
/// identity is created there first (moto refuses unverified senders, as SES does).
pub async fn mailer(endpoint: &str) -> Result<shared::adapters::ses::SesMailer, String> {
    let config = aws_sdk_sesv2::Config::builder()
        .behavior_version(aws_sdk_sesv2::config::BehaviorVersion::latest())
        .region(aws_sdk_sesv2::config::Region::new("us-east-1"))
        .credentials_provider(local_credentials())
        .endpoint_url(endpoint)
        .http_client(crate::iam_http::checking_default())
        .interceptor(AwsCalls::from_env())
        .build();
    let client = aws_sdk_sesv2::Client::from_conf(config);
    if let Err(error) = client.create_email_identity().email_identity(MAIL_DOMAIN).send().await {
        // Another run (or test) on the same emulator created it already.
        if client.get_email_identity().email_identity(MAIL_DOMAIN).send().await.is_err() {
            return Err(format!("{error:?}"));
        }
    }
    Ok(shared::adapters::ses::SesMailer::new(client, format!("Peerlearn <no-reply@{MAIL_DOMAIN}>"), None))
}

/// An S3 client for the local emulator (moto server), addressed path-style.
pub fn s3_client(endpoint: &str) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(local_credentials())
        .endpoint_url(endpoint)
        .force_path_style(true)
        .http_client(crate::iam_http::checking_default())
        .interceptor(AwsCalls::from_env())
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// `clients` with bucket `name` in the emulator, created (or found), as the uploads bucket
/// and as where links point, signed with the local credentials.
pub async fn with_uploads(clients: Clients, endpoint: &str, name: &str) -> Result<Clients, String> {
    let client = s3_client(endpoint);
    match client.create_bucket().bucket(name).send().await {
        Ok(_) => {}
        // Already there from an earlier start: as good as created.
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_bucket_already_owned_by_you() || e.is_bucket_already_exists()) => {}
        Err(error) => return Err(format!("{error:?}")),
    }
    let credentials = aws_sdk_s3::config::SharedCredentialsProvider::new(local_credentials());
    let links = shared::adapters::links::SignedLinks::new(credentials, "us-east-1", name, Some(endpoint));
    let bucket = shared::adapters::s3::UploadsBucket::new(name, links.clone(), crate::iam_http::checking_connector());
    Ok(clients.with_files(bucket).with_links(links))
}

/// The credentials every local client signs with (the emulators take any).
fn local_credentials() -> Credentials {
    Credentials::new("local", "local", None, None, "peerlearn-local")
}
