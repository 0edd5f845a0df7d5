//! [`LivePush`] over API Gateway's management API (`POST @connections/{id}`).

use aws_sdk_apigatewaymanagement::primitives::Blob;

use crate::domain::ConnectionId;
use crate::ports::{BoxFuture, LivePush, PushError};

/// The WebSocket API's `@connections` endpoint, through one client per cold start.
#[derive(Debug, Clone)]
pub struct ConnectionsApi {
    client: aws_sdk_apigatewaymanagement::Client,
}

impl ConnectionsApi {
    /// Pushes through `client`, whose endpoint is the API's stage URL
    /// (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`).
    pub fn new(client: aws_sdk_apigatewaymanagement::Client) -> Self {
        Self { client }
    }

    /// A client for `endpoint` built from shared SDK settings.
    pub fn from_sdk(sdk: &aws_config::SdkConfig, endpoint: &str) -> Self {
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(sdk)
            .endpoint_url(endpoint)
            .interceptor(crate::observability::aws_calls::AwsCalls::from_env())
            .build();
        Self::new(aws_sdk_apigatewaymanagement::Client::from_conf(config))
    }
}

impl LivePush for ConnectionsApi {
    fn push<'a>(&'a self, connection: &'a ConnectionId, frame: &'a str) -> BoxFuture<'a, Result<(), PushError>> {
        Box::pin(self.post(connection, frame))
    }

    fn close<'a>(&'a self, connection: &'a ConnectionId) -> BoxFuture<'a, Result<(), PushError>> {
        Box::pin(self.delete(connection))
    }
}

impl ConnectionsApi {
    async fn delete(&self, connection: &ConnectionId) -> Result<(), PushError> {
        match self.client.delete_connection().connection_id(connection.as_str()).send().await {
            Ok(_) => Ok(()),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_gone_exception()) => Ok(()),
            Err(error) => Err(PushError::Failed(super::sdk_failure(error))),
        }
    }

    async fn post(&self, connection: &ConnectionId, frame: &str) -> Result<(), PushError> {
        let result = self
            .client
            .post_to_connection()
            .connection_id(connection.as_str())
            .data(Blob::new(frame.as_bytes()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_gone_exception()) => Err(PushError::Gone),
            Err(error) => Err(PushError::Failed(super::sdk_failure(error))),
        }
    }
}
