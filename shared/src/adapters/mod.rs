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
/// else what failed on the way (a timeout, a refused connection, an unreadable answer) and
/// each of its causes.
///
/// Written out rather than `{error:?}`: `SdkError`'s Debug formats every operation's error
/// type and the raw response, and linked all of that into every binary for one branch.
pub(crate) fn sdk_failure<E, R>(error: aws_smithy_runtime_api::client::result::SdkError<E, R>) -> String
where
    E: std::fmt::Display,
    R: std::fmt::Debug,
{
    if let Some(service) = error.as_service_error() {
        return service.to_string();
    }
    // The service's error is gone from here on, so none of its formatting is reached.
    let error = error.map_service_error(|_| Answered);
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(&error);
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

/// Stands for a service's answer in [`sdk_failure`], which has already described it.
#[derive(Debug)]
struct Answered;

impl std::fmt::Display for Answered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the service answered")
    }
}

impl std::error::Error for Answered {}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use aws_smithy_runtime_api::client::result::{ConnectorError, SdkError};

    use super::sdk_failure;

    #[derive(Debug)]
    struct Refused;

    impl std::fmt::Display for Refused {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("ConditionalCheckFailed: the item changed")
        }
    }

    impl std::error::Error for Refused {}

    #[test]
    fn a_failure_says_what_failed_and_why() {
        let service = SdkError::<Refused, ()>::service_error(Refused, ());
        assert_eq!(sdk_failure(service), "ConditionalCheckFailed: the item changed");
        let timeout = SdkError::<Refused, ()>::timeout_error("no answer within 3 s");
        assert_eq!(sdk_failure(timeout), "request has timed out: no answer within 3 s");
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        let dispatch = SdkError::<Refused, ()>::dispatch_failure(ConnectorError::io(io.into()));
        let text = sdk_failure(dispatch);
        assert!(text.starts_with("dispatch failure: ") && text.ends_with("connection refused"), "{text}");
        let unreadable = SdkError::<Refused, ()>::response_error("truncated body", ());
        assert_eq!(sdk_failure(unreadable), "response error: truncated body");
        let unbuilt = SdkError::<Refused, ()>::construction_failure("no region");
        assert_eq!(sdk_failure(unbuilt), "failed to construct request: no region");
    }
}
