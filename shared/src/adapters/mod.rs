//! Adapters: the ports implemented over AWS services.

pub mod dynamo;
pub mod google;
pub mod https;
pub mod links;
pub mod meeting;
pub mod realtime;
pub mod s3;
pub mod ses;
pub mod sms;
pub mod sns;
pub mod stripe;

/// An SDK call's failure as text for the log: the service's own message when it answered,
/// else the whole error (a timeout, a refused connection).
pub(crate) fn sdk_failure<E, R>(error: aws_smithy_runtime_api::client::result::SdkError<E, R>) -> String
where
    E: std::fmt::Display + std::fmt::Debug,
    R: std::fmt::Debug,
{
    match error.as_service_error() {
        Some(service) => service.to_string(),
        None => format!("{error:?}"),
    }
}
