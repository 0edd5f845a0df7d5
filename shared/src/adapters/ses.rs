//! [`Mailer`] over Amazon SES (API v2): plain-text mail from the platform's sender.

use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

use crate::domain::Mail;
use crate::ports::{BoxFuture, Mailer};

/// The platform's sender on SES, through one client per cold start.
#[derive(Debug, Clone)]
pub struct SesMailer {
    client: aws_sdk_sesv2::Client,
    from: String,
    configuration_set: Option<String>,
}

impl SesMailer {
    /// Sends as `from` (an SES-verified identity) through `client`, tracked by
    /// `configuration_set` when there is one.
    pub fn new(client: aws_sdk_sesv2::Client, from: impl Into<String>, configuration_set: Option<String>) -> Self {
        Self { client, from: from.into(), configuration_set }
    }

    /// A client built from shared SDK settings, optionally at another endpoint (an emulator).
    pub fn from_sdk(
        sdk: &aws_config::SdkConfig,
        from: &str,
        configuration_set: Option<&str>,
        endpoint: Option<&str>,
    ) -> Self {
        let mut config = aws_sdk_sesv2::config::Builder::from(sdk)
            .interceptor(crate::observability::aws_calls::AwsCalls::from_env());
        if let Some(endpoint) = endpoint {
            config = config.endpoint_url(endpoint);
        }
        Self::new(aws_sdk_sesv2::Client::from_conf(config.build()), from, configuration_set.map(str::to_owned))
    }

    async fn deliver(&self, mail: &Mail) -> Result<(), String> {
        let text = |data: &str| Content::builder().data(data).charset("UTF-8").build().map_err(|e| e.to_string());
        let message = Message::builder()
            .subject(text(&mail.subject)?)
            .body(Body::builder().text(text(&mail.text)?).build())
            .build();
        self.client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(mail.to.as_str()).build())
            .content(EmailContent::builder().simple(message).build())
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await
            .map_err(super::sdk_failure)?;
        Ok(())
    }
}

impl Mailer for SesMailer {
    fn send<'a>(&'a self, mail: &'a Mail) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(self.deliver(mail))
    }
}
