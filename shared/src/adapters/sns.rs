//! [`NotificationFanout`] over SNS: one topic, message attributes for subscription filters.

use aws_sdk_sns::types::MessageAttributeValue;

use crate::domain::{Channel, Notification};
use crate::ports::{BoxFuture, NotificationFanout};

/// The notifications topic, through one client per cold start.
#[derive(Debug, Clone)]
pub struct NotificationTopic {
    client: aws_sdk_sns::Client,
    arn: String,
}

impl NotificationTopic {
    /// Publishes to topic `arn` through `client`.
    pub fn new(client: aws_sdk_sns::Client, arn: impl Into<String>) -> Self {
        Self { client, arn: arn.into() }
    }

    /// The topic's ARN.
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// A client built from shared SDK settings, optionally at another endpoint (an emulator).
    pub fn from_sdk(sdk: &aws_config::SdkConfig, arn: &str, endpoint: Option<&str>) -> Self {
        let mut config =
            aws_sdk_sns::config::Builder::from(sdk).interceptor(crate::observability::aws_calls::AwsCalls::from_env());
        if let Some(endpoint) = endpoint {
            config = config.endpoint_url(endpoint);
        }
        Self::new(aws_sdk_sns::Client::from_conf(config.build()), arn)
    }
}

fn attribute(data_type: &str, value: String) -> Result<MessageAttributeValue, String> {
    MessageAttributeValue::builder().data_type(data_type).string_value(value).build().map_err(|e| e.to_string())
}

impl NotificationFanout for NotificationTopic {
    fn publish<'a>(
        &'a self,
        notification: &'a Notification,
        channels: &'a [Channel],
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(self.send(notification, channels))
    }

    fn topic_arn(&self) -> Option<&str> {
        Some(&self.arn)
    }
}

impl NotificationTopic {
    async fn send(&self, notification: &Notification, channels: &[Channel]) -> Result<(), String> {
        let message = serde_json::to_string(notification).map_err(|e| e.to_string())?;
        let channels = serde_json::to_string(&channels.iter().map(|c| c.as_str()).collect::<Vec<_>>())
            .map_err(|e| e.to_string())?;
        self.client
            .publish()
            .topic_arn(&self.arn)
            .message(message)
            .message_attributes("user_id", attribute("String", notification.user.to_string())?)
            .message_attributes("kind", attribute("String", notification.kind.clone())?)
            // A String.Array, so a filter policy `{"channel": ["email"]}` matches any listed channel.
            .message_attributes("channel", attribute("String.Array", channels)?)
            .message_attributes("notification_id", attribute("String", notification.id.to_string())?)
            .send()
            .await
            .map_err(super::sdk_failure)?;
        Ok(())
    }
}
