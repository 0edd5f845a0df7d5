//! Clients for the local stack: DynamoDB Local takes any credentials. Every client sends
//! through [`crate::iam_http`]'s checking HTTP client, so the calls a function makes are
//! checked against its policy in template.yaml (see [`crate::iam`]).

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};

/// A DynamoDB client for the endpoint of a local DynamoDB.
pub fn dynamo_client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("local", "local", None, None, "peerlearn-local"))
        .endpoint_url(endpoint)
        .http_client(crate::iam_http::checking_default())
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// The configuration the local functions run with: the given table and endpoint, and the
/// JWT secret from `JWT_SECRET` or a random one for this run.
pub fn config(table: &str, endpoint: &str) -> Result<shared::config::Config, shared::config::ConfigError> {
    let secret = std::env::var("JWT_SECRET").ok().filter(|s| s.len() >= 32).unwrap_or_else(random_secret);
    let values = [("TABLE_NAME", table.to_owned()), ("DYNAMODB_ENDPOINT", endpoint.to_owned()), ("JWT_SECRET", secret)];
    let lookup = |name: &str| values.iter().find(|(key, _)| *key == name).map(|(_, value)| value.clone());
    shared::config::Config::from_lookup(lookup)
}

fn random_secret() -> String {
    format!("{}{}", ulid::Ulid::new(), ulid::Ulid::new())
}

/// A client of the local WebSocket API's `@connections` endpoint (the gateway itself).
pub fn connections_api(endpoint: &str) -> shared::adapters::realtime::ConnectionsApi {
    let config = aws_sdk_apigatewaymanagement::Config::builder()
        .behavior_version(aws_sdk_apigatewaymanagement::config::BehaviorVersion::latest())
        .region(aws_sdk_apigatewaymanagement::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_apigatewaymanagement::config::Credentials::new(
            "local",
            "local",
            None,
            None,
            "peerlearn-local",
        ))
        .endpoint_url(endpoint)
        .http_client(crate::iam_http::checking_default())
        .build();
    shared::adapters::realtime::ConnectionsApi::new(aws_sdk_apigatewaymanagement::Client::from_conf(config))
}

/// An SNS client for the local emulator (moto server).
pub fn sns_client(endpoint: &str) -> aws_sdk_sns::Client {
    let config = aws_sdk_sns::Config::builder()
        .behavior_version(aws_sdk_sns::config::BehaviorVersion::latest())
        .region(aws_sdk_sns::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sns::config::Credentials::new("local", "local", None, None, "peerlearn-local"))
        .endpoint_url(endpoint)
        .http_client(crate::iam_http::checking_default())
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
