//! Clients for the local stack: DynamoDB Local takes any credentials.

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};

/// A DynamoDB client for the endpoint of a local DynamoDB.
pub fn dynamo_client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("local", "local", None, None, "peerlearn-local"))
        .endpoint_url(endpoint)
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
