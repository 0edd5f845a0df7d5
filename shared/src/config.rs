//! Settings read once per cold start from the environment that template.yaml sets.

use std::time::Duration;

/// Everything a function needs to know about where it runs.
#[derive(Clone)]
pub struct Config {
    /// The single table's name (`TABLE_NAME`).
    pub table_name: String,
    /// Overrides the DynamoDB endpoint (`DYNAMODB_ENDPOINT`), for DynamoDB Local only.
    pub dynamodb_endpoint: Option<String>,
    /// Access-token settings.
    pub jwt: JwtConfig,
    /// The WebSocket API's management endpoint (`CONNECTIONS_ENDPOINT`), for functions that
    /// push frames to open connections.
    pub connections_endpoint: Option<String>,
    /// The SNS topic notifications fan out through (`NOTIFICATIONS_TOPIC_ARN`).
    pub notifications_topic: Option<String>,
    /// Overrides the SNS endpoint (`SNS_ENDPOINT`), for the local emulator only.
    pub sns_endpoint: Option<String>,
}

/// How access tokens are signed and checked.
#[derive(Clone)]
pub struct JwtConfig {
    /// HMAC key (`JWT_SECRET`); at least 32 bytes.
    pub secret: String,
    /// `iss` claim (`JWT_ISSUER`).
    pub issuer: String,
    /// `aud` claim (`JWT_AUDIENCE`).
    pub audience: String,
    /// Access-token lifetime: short, because access tokens cannot be revoked.
    pub access_ttl: Duration,
}

impl std::fmt::Debug for JwtConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtConfig")
            .field("secret", &"***")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("access_ttl", &self.access_ttl)
            .finish()
    }
}

/// A required setting is missing or unusable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The variable is not set.
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    /// The variable is set but unusable.
    #[error("environment variable {0}: {1}")]
    Invalid(&'static str, &'static str),
}

/// Access tokens live 15 minutes; refresh tokens carry the session beyond that.
pub const ACCESS_TOKEN_TTL: Duration = Duration::from_secs(15 * 60);

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `get`, so tests can supply their own values.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let required = |name: &'static str| get(name).filter(|v| !v.is_empty()).ok_or(ConfigError::Missing(name));
        let secret = required("JWT_SECRET")?;
        if secret.len() < 32 {
            return Err(ConfigError::Invalid("JWT_SECRET", "must be at least 32 bytes"));
        }
        Ok(Self {
            table_name: required("TABLE_NAME")?,
            dynamodb_endpoint: get("DYNAMODB_ENDPOINT").filter(|v| !v.is_empty()),
            connections_endpoint: get("CONNECTIONS_ENDPOINT").filter(|v| !v.is_empty()),
            notifications_topic: get("NOTIFICATIONS_TOPIC_ARN").filter(|v| !v.is_empty()),
            sns_endpoint: get("SNS_ENDPOINT").filter(|v| !v.is_empty()),
            jwt: JwtConfig {
                secret,
                issuer: get("JWT_ISSUER").unwrap_or_else(|| "peerlearn".into()),
                audience: get("JWT_AUDIENCE").unwrap_or_else(|| "peerlearn-api".into()),
                access_ttl: ACCESS_TOKEN_TTL,
            },
        })
    }
}
