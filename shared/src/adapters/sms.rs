//! [`TextMessages`] over SNS: a transactional SMS published straight to the number.

use aws_sdk_sns::types::MessageAttributeValue;

use crate::domain::PhoneNumber;
use crate::ports::{BoxFuture, TextMessages};

/// SMS through SNS, one client per cold start.
#[derive(Debug, Clone)]
pub struct SnsTexts {
    client: aws_sdk_sns::Client,
}

impl SnsTexts {
    /// Texts through `client`.
    pub fn new(client: aws_sdk_sns::Client) -> Self {
        Self { client }
    }

    /// A client built from shared SDK settings, optionally at another endpoint (an emulator).
    pub fn from_sdk(sdk: &aws_config::SdkConfig, endpoint: Option<&str>) -> Self {
        let mut config =
            aws_sdk_sns::config::Builder::from(sdk).interceptor(crate::observability::aws_calls::AwsCalls::from_env());
        if let Some(endpoint) = endpoint {
            config = config.endpoint_url(endpoint);
        }
        Self::new(aws_sdk_sns::Client::from_conf(config.build()))
    }

    async fn deliver(&self, to: &PhoneNumber, text: &str) -> Result<(), String> {
        // Transactional: SNS routes it for delivery rather than price (a code must arrive).
        let kind = MessageAttributeValue::builder()
            .data_type("String")
            .string_value("Transactional")
            .build()
            .map_err(|e| e.to_string())?;
        self.client
            .publish()
            .phone_number(to.as_str())
            .message(text)
            .message_attributes("AWS.SNS.SMS.SMSType", kind)
            .send()
            .await
            .map_err(super::sdk_failure)?;
        Ok(())
    }
}

impl TextMessages for SnsTexts {
    fn send<'a>(&'a self, to: &'a PhoneNumber, text: &'a str) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(self.deliver(to, text))
    }
}
