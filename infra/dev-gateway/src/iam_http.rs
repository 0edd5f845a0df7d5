//! The checking HTTP client under every SDK client the local stack builds: inside a
//! function scope ([`crate::iam::as_function`]) it reads what each outgoing request asks for
//! (service action and resource ARNs, from the wire, as AWS does) and either forwards it or
//! answers as AWS answers a call IAM refused, so the real SDK surfaces a real
//! AccessDeniedException (AuthorizationError for SNS) whose message names the function, the
//! action and the resource.
//!
//! The service is the SigV4 signing name in the `Authorization` header's credential scope.
//! DynamoDB: `X-Amz-Target` and the JSON body (transactions per item action, batches as
//! their own actions, indexes by their ARN). SNS: the query-protocol form body. S3:
//! path-style method, path and query. API Gateway Management: `@connections` paths. A call
//! to any other service from a function is refused with a message saying the local check
//! must learn it: a new service can never slip through unchecked.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use serde_json::Value;

use crate::iam::{self, ACCOUNT_ID, Access, Denial, Locals, REGION, table_arn};

/// Wraps `inner` so that calls made inside a function scope are checked first.
pub fn checking(inner: SharedHttpClient) -> SharedHttpClient {
    SharedHttpClient::new(CheckingClient { inner })
}

/// The default HTTP(S) client, checked.
pub fn checking_default() -> SharedHttpClient {
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
    checking(
        aws_smithy_http_client::Builder::new().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc)).build_https(),
    )
}

/// The default HTTP(S) connector, checked: for adapters that send their own signed
/// requests rather than through an SDK client (the uploads bucket's).
pub fn checking_connector() -> SharedHttpConnector {
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
    let inner =
        aws_smithy_http_client::Connector::builder().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc)).build();
    SharedHttpConnector::new(CheckingConnector { inner: SharedHttpConnector::new(inner) })
}

#[derive(Debug)]
struct CheckingClient {
    inner: SharedHttpClient,
}

impl HttpClient for CheckingClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(CheckingConnector { inner: self.inner.http_connector(settings, components) })
    }
}

#[derive(Debug)]
struct CheckingConnector {
    inner: SharedHttpConnector,
}

impl HttpConnector for CheckingConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        // `call` runs in the task that awaits the SDK call, so the caller's scope is visible.
        let Some(principal) = iam::caller() else { return self.inner.call(request) };
        let service = signing_service(&request).unwrap_or_default();
        let verdict = match accesses(&service, &request, &principal.locals) {
            Ok(accesses) => iam::authorize(&principal, &accesses),
            Err(reason) => {
                let denial = unknown_call(&principal, &service, &reason);
                Err(denial)
            }
        };
        match verdict {
            Ok(()) => match crate::metering::current() {
                Some(usage) if service == "dynamodb" => metered(self.inner.clone(), request, usage),
                Some(usage) => {
                    usage.count_call(&service);
                    self.inner.call(request)
                }
                None => self.inner.call(request),
            },
            Err(denial) => HttpConnectorFuture::ready(Ok(denied_response(&service, &denial))),
        }
    }
}

/// Sends a DynamoDB call asking for its consumed capacity, and adds what the answer reports
/// to the invocation (see [`crate::metering`]). DynamoDB Local checks no signature, so the
/// body may change after signing.
fn metered(
    inner: SharedHttpConnector,
    mut request: HttpRequest,
    usage: std::sync::Arc<crate::metering::Usage>,
) -> HttpConnectorFuture {
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_types::byte_stream::ByteStream;

    let operation = request
        .headers()
        .get("x-amz-target")
        .and_then(|target| target.rsplit('.').next())
        .unwrap_or_default()
        .to_owned();
    if crate::metering::operation_kind(&operation).is_none() {
        return inner.call(request);
    }
    let mut sent = request.body().bytes().and_then(|bytes| serde_json::from_slice::<Value>(bytes).ok());
    if let Some(body) = sent.as_mut() {
        crate::metering::ask_for_capacity(body);
        if let Ok(bytes) = serde_json::to_vec(&body) {
            request.headers_mut().insert("content-length", bytes.len().to_string());
            *request.body_mut() = SdkBody::from(bytes);
        }
    }
    let sent = sent.unwrap_or(Value::Null);
    HttpConnectorFuture::new(async move {
        let mut response = inner.call(request).await?;
        let body = std::mem::replace(response.body_mut(), SdkBody::taken());
        let bytes = ByteStream::new(body).collect().await.map_err(|e| ConnectorError::io(Box::new(e)))?.into_bytes();
        if let Ok(answer) = serde_json::from_slice::<Value>(&bytes) {
            crate::metering::record(&usage, &operation, &sent, &answer);
        }
        *response.body_mut() = SdkBody::from(bytes);
        Ok(response)
    })
}

/// A call whose action the local check cannot tell: refused, and counted as denied.
fn unknown_call(principal: &iam::Principal, service: &str, reason: &str) -> Denial {
    let message = format!(
        "local IAM check: cannot tell the action of a {service:?} request from {} ({reason}); teach \
         infra/dev-gateway/src/iam_http.rs this service",
        principal.function
    );
    iam::refuse(principal, &Access::new(format!("{service}:Unknown"), "*"), message)
}

/// The SigV4 signing name: `Credential=<key>/<date>/<region>/<service>/aws4_request`, in
/// the `Authorization` header or, for a presigned request, the `X-Amz-Credential` parameter.
pub fn signing_service(request: &HttpRequest) -> Option<String> {
    let scope = match request.headers().get("authorization") {
        Some(authorization) => authorization.split("Credential=").nth(1)?.split([',', ' ']).next()?.to_owned(),
        None => {
            let (_, query) = split_uri(request.uri());
            let credential = query.split('&').find_map(|pair| pair.strip_prefix("X-Amz-Credential="))?;
            percent_decode(credential)
        }
    };
    scope.split('/').nth(3).map(str::to_owned)
}

/// The actions and resources `request` to `service` needs.
pub fn accesses(service: &str, request: &HttpRequest, locals: &Locals) -> Result<Vec<Access>, String> {
    let body = request.body().bytes().unwrap_or_default();
    match service {
        "dynamodb" => {
            let target = request.headers().get("x-amz-target").ok_or("no X-Amz-Target")?;
            let body: Value = serde_json::from_slice(body).map_err(|e| format!("body is not JSON: {e}"))?;
            dynamodb(target, &body)
        }
        "sns" => sns(body),
        "s3" => s3(request.method(), request.uri()),
        "ses" => ses(request.method(), request.uri(), body),
        "execute-api" => execute_api(request.method(), request.uri(), locals),
        other => Err(format!("unknown service {other:?}")),
    }
}

/// DynamoDB: one access per table (and index) touched; transactions per item action.
pub fn dynamodb(target: &str, body: &Value) -> Result<Vec<Access>, String> {
    let operation = target.rsplit('.').next().ok_or("X-Amz-Target has no operation")?;
    let action = |name: &str| format!("dynamodb:{name}");
    let table = |value: &Value| value["TableName"].as_str().map(table_arn).ok_or("no TableName".to_owned());
    match operation {
        "TransactWriteItems" | "TransactGetItems" => {
            let items = body["TransactItems"].as_array().ok_or("no TransactItems")?;
            items
                .iter()
                .map(|item| {
                    let (kind, inner) = item.as_object().and_then(|o| o.iter().next()).ok_or("empty transact item")?;
                    let item_action = match kind.as_str() {
                        "Put" => "PutItem",
                        "Update" => "UpdateItem",
                        "Delete" => "DeleteItem",
                        "ConditionCheck" => "ConditionCheckItem",
                        "Get" => "GetItem",
                        other => return Err(format!("unknown transact item {other}")),
                    };
                    Ok(Access::new(action(item_action), table(inner)?))
                })
                .collect()
        }
        "BatchGetItem" | "BatchWriteItem" => {
            let tables = body["RequestItems"].as_object().ok_or("no RequestItems")?;
            Ok(tables.keys().map(|name| Access::new(action(operation), table_arn(name))).collect())
        }
        "Query" | "Scan" => {
            let mut resource = table(body)?;
            if let Some(index) = body["IndexName"].as_str() {
                resource = format!("{resource}/index/{index}");
            }
            Ok(vec![Access::new(action(operation), resource)])
        }
        "ListTables" | "DescribeLimits" | "DescribeEndpoints" => Ok(vec![Access::new(action(operation), "*")]),
        _ => Ok(vec![Access::new(action(operation), table(body)?)]),
    }
}

/// SNS (query protocol): `Action=Publish&TopicArn=...`.
pub fn sns(body: &[u8]) -> Result<Vec<Access>, String> {
    let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let field = |name: &str| form.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone());
    let operation = field("Action").ok_or("no Action")?;
    let resource = field("TopicArn")
        .or_else(|| field("TargetArn"))
        .or_else(|| field("Name").map(|name| format!("arn:aws:sns:{REGION}:{ACCOUNT_ID}:{name}")))
        .unwrap_or_else(|| "*".into());
    Ok(vec![Access::new(format!("sns:{operation}"), resource)])
}

/// SES API v2 (REST JSON): SendEmail (`POST /v2/email/outbound-emails`) is authorised on
/// the sending identity, the From address's domain, and on the configuration set it names.
pub fn ses(method: &str, uri: &str, body: &[u8]) -> Result<Vec<Access>, String> {
    let (path, _) = split_uri(uri);
    let arn = |resource: String| format!("arn:aws:ses:{REGION}:{ACCOUNT_ID}:{resource}");
    match (method, path) {
        ("POST", "/v2/email/outbound-emails") => {
            let body: Value = serde_json::from_slice(body).map_err(|e| format!("body is not JSON: {e}"))?;
            let from = body["FromEmailAddress"].as_str().ok_or("no FromEmailAddress")?;
            // `Name <address>` or a bare address.
            let address = from.rsplit('<').next().unwrap_or(from).trim_end_matches('>').trim();
            let (_, domain) = address.rsplit_once('@').ok_or("the From address has no domain")?;
            let mut accesses = vec![Access::new("ses:SendEmail", arn(format!("identity/{domain}")))];
            if let Some(set) = body["ConfigurationSetName"].as_str() {
                accesses.push(Access::new("ses:SendEmail", arn(format!("configuration-set/{set}"))));
            }
            Ok(accesses)
        }
        ("POST", "/v2/email/identities") => Ok(vec![Access::new("ses:CreateEmailIdentity", "*")]),
        _ => Err(format!("SES {method} {path} is not modelled")),
    }
}

/// S3, path-style (`/bucket/key`, as local endpoints are addressed).
pub fn s3(method: &str, uri: &str) -> Result<Vec<Access>, String> {
    let (path, query) = split_uri(uri);
    let has = |name: &str| query.split('&').any(|pair| pair.split('=').next() == Some(name));
    let path = percent_decode(path.trim_start_matches('/'));
    let (bucket, key) = match path.split_once('/') {
        Some((bucket, key)) if !key.is_empty() => (bucket.to_owned(), Some(key.to_owned())),
        Some((bucket, _)) => (bucket.to_owned(), None),
        None => (path.clone(), None),
    };
    if bucket.is_empty() {
        return Ok(vec![Access::new("s3:ListAllMyBuckets", "*")]);
    }
    let action = match (method, &key) {
        ("GET" | "HEAD", Some(_)) if has("versionId") => "GetObjectVersion",
        ("GET" | "HEAD", Some(_)) if has("acl") => "GetObjectAcl",
        ("GET" | "HEAD", Some(_)) => "GetObject",
        ("PUT", Some(_)) if has("acl") => "PutObjectAcl",
        ("PUT" | "POST", Some(_)) => "PutObject",
        ("DELETE", Some(_)) if has("uploadId") => "AbortMultipartUpload",
        ("DELETE", Some(_)) => "DeleteObject",
        ("GET", None) if has("location") => "GetBucketLocation",
        ("GET", None) if has("lifecycle") => "GetLifecycleConfiguration",
        ("PUT", None) if has("lifecycle") => "PutLifecycleConfiguration",
        // Multi-object delete: the keys are in the body; authorised as DeleteObject on the bucket's objects.
        ("POST", None) if has("delete") => {
            return Ok(vec![Access::new("s3:DeleteObject", format!("arn:aws:s3:::{bucket}/*"))]);
        }
        ("GET" | "HEAD", None) => "ListBucket",
        ("PUT", None) => "CreateBucket",
        ("DELETE", None) => "DeleteBucket",
        _ => return Err(format!("S3 {method} {uri} is not modelled")),
    };
    let resource = match key {
        Some(key) => format!("arn:aws:s3:::{bucket}/{key}"),
        None => format!("arn:aws:s3:::{bucket}"),
    };
    Ok(vec![Access::new(format!("s3:{action}"), resource)])
}

/// API Gateway Management: `[/{stage}]/@connections/{id}`, any method, is
/// `execute-api:ManageConnections` on `{api}/{stage}/{METHOD}/@connections/{id}`.
pub fn execute_api(method: &str, uri: &str, locals: &Locals) -> Result<Vec<Access>, String> {
    let (path, _) = split_uri(uri);
    let (prefix, id) =
        path.split_once("/@connections/").ok_or_else(|| format!("{path} is not an @connections path"))?;
    let stage = match prefix.trim_matches('/') {
        "" => locals.stage.as_str(),
        stage => stage,
    };
    let id = percent_decode(id);
    Ok(vec![Access::new(
        "execute-api:ManageConnections",
        format!(
            "arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{}/{stage}/{method}/@connections/{id}",
            locals.websocket_api
        ),
    )])
}

/// What AWS answers when IAM refuses a call to `service`.
pub fn denied_response(service: &str, denial: &Denial) -> HttpResponse {
    let request_id = ulid::Ulid::new().to_string();
    let xml = |text: &str| text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let (status, content_type, error_type, body) = match service {
        "sns" => (
            403,
            "text/xml",
            None,
            format!(
                "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type>\
                 <Code>AuthorizationError</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId>\
                 </ErrorResponse>",
                xml(&denial.message)
            ),
        ),
        "s3" => (
            403,
            "application/xml",
            None,
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>{}</Message>\
                 <RequestId>{request_id}</RequestId></Error>",
                xml(&denial.message)
            ),
        ),
        "execute-api" => (
            403,
            "application/json",
            Some("AccessDeniedException"),
            serde_json::json!({"message": denial.message}).to_string(),
        ),
        // DynamoDB, and the refusal of calls to services the check does not know.
        _ => (
            400,
            "application/x-amz-json-1.0",
            Some("AccessDeniedException"),
            serde_json::json!({
                "__type": "com.amazon.coral.service#AccessDeniedException",
                "message": denial.message,
            })
            .to_string(),
        ),
    };
    let status = StatusCode::try_from(status).unwrap_or_else(|_| StatusCode::from(http::StatusCode::FORBIDDEN));
    let mut response = HttpResponse::new(status, SdkBody::from(body));
    response.headers_mut().insert("content-type", content_type);
    response.headers_mut().insert("x-amzn-requestid", request_id);
    if let Some(kind) = error_type {
        response.headers_mut().insert("x-amzn-errortype", kind);
    }
    response
}

fn split_uri(uri: &str) -> (&str, &str) {
    // Absolute URIs carry scheme and authority before the path.
    let without_authority = match uri.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |at| &rest[at..]),
        None => uri,
    };
    without_authority.split_once('?').unwrap_or((without_authority, ""))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    const TABLE: &str = "arn:aws:dynamodb:us-east-1:000000000000:table/t";

    #[test]
    fn transactions_are_authorised_per_item_action_on_each_table() {
        let body = json!({"TransactItems": [
            {"Put": {"TableName": "t", "Item": {}}},
            {"Update": {"TableName": "t", "Key": {}}},
            {"Delete": {"TableName": "other", "Key": {}}},
            {"ConditionCheck": {"TableName": "t", "Key": {}}},
        ]});
        let actions: Vec<(String, String)> = dynamodb("DynamoDB_20120810.TransactWriteItems", &body)
            .unwrap()
            .into_iter()
            .map(|a| (a.action, a.resource))
            .collect();
        assert_eq!(
            actions,
            vec![
                ("dynamodb:PutItem".into(), TABLE.into()),
                ("dynamodb:UpdateItem".into(), TABLE.into()),
                ("dynamodb:DeleteItem".into(), "arn:aws:dynamodb:us-east-1:000000000000:table/other".into()),
                ("dynamodb:ConditionCheckItem".into(), TABLE.into()),
            ]
        );
        let gets = json!({"TransactItems": [{"Get": {"TableName": "t", "Key": {}}}]});
        assert_eq!(
            dynamodb("DynamoDB_20120810.TransactGetItems", &gets).unwrap(),
            vec![Access::new("dynamodb:GetItem", TABLE)]
        );
    }

    #[test]
    fn batches_are_their_own_actions_and_indexes_have_their_arn() {
        let batch = json!({"RequestItems": {"t": {"Keys": []}}});
        assert_eq!(
            dynamodb("DynamoDB_20120810.BatchGetItem", &batch).unwrap(),
            vec![Access::new("dynamodb:BatchGetItem", TABLE)]
        );
        let query = json!({"TableName": "t", "IndexName": "GSI1"});
        assert_eq!(
            dynamodb("DynamoDB_20120810.Query", &query).unwrap(),
            vec![Access::new("dynamodb:Query", format!("{TABLE}/index/GSI1"))]
        );
        assert_eq!(
            dynamodb("DynamoDB_20120810.GetItem", &json!({"TableName": "t"})).unwrap(),
            vec![Access::new("dynamodb:GetItem", TABLE)]
        );
    }

    #[test]
    fn sns_s3_and_connections_read_from_the_wire() {
        assert_eq!(
            sns(b"Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3At").unwrap(),
            vec![Access::new("sns:Publish", "arn:aws:sns:us-east-1:000000000000:t")]
        );
        assert_eq!(
            s3("GET", "http://127.0.0.1:5000/uploads/a%20b/c.png").unwrap(),
            vec![Access::new("s3:GetObject", "arn:aws:s3:::uploads/a b/c.png")]
        );
        assert_eq!(
            s3("GET", "/uploads?list-type=2&prefix=a").unwrap(),
            vec![Access::new("s3:ListBucket", "arn:aws:s3:::uploads")]
        );
        assert_eq!(s3("PUT", "/uploads/k").unwrap(), vec![Access::new("s3:PutObject", "arn:aws:s3:::uploads/k")]);
        assert_eq!(s3("DELETE", "/uploads/k").unwrap()[0].action, "s3:DeleteObject");
        let locals = Locals::new("t", "dev");
        assert_eq!(
            execute_api("POST", "http://127.0.0.1:3001/@connections/abc%3D", &locals).unwrap(),
            vec![Access::new(
                "execute-api:ManageConnections",
                "arn:aws:execute-api:us-east-1:000000000000:local-websocket-api/dev/POST/@connections/abc="
            )]
        );
        assert_eq!(
            execute_api("DELETE", "https://x.execute-api.us-east-1.amazonaws.com/prod/@connections/a", &locals)
                .unwrap()[0]
                .resource,
            "arn:aws:execute-api:us-east-1:000000000000:local-websocket-api/prod/DELETE/@connections/a"
        );
    }

    /// A principal allowed nothing, named `nobody`.
    fn nobody() -> std::sync::Arc<iam::Principal> {
        std::sync::Arc::new(iam::Principal {
            function: "nobody".into(),
            policy: iam::Policy::default(),
            locals: Locals::new("t", "dev"),
        })
    }

    /// Nothing listens here: a call that got through would fail to connect instead.
    const NOWHERE: &str = "http://127.0.0.1:9";

    #[tokio::test]
    async fn the_dynamodb_sdk_reads_a_denial_as_access_denied() {
        let client = crate::local::dynamo_client(NOWHERE);
        let call = client.get_item().table_name("t").key("PK", aws_sdk_dynamodb::types::AttributeValue::S("a".into()));
        let error = iam::as_function(nobody(), call.send()).await.unwrap_err();
        let service = error.into_service_error();
        use aws_sdk_dynamodb::error::ProvideErrorMetadata as _;
        assert_eq!(service.code(), Some("AccessDeniedException"));
        let message = service.message().unwrap();
        assert!(message.contains("assumed-role/nobody-role/nobody"), "{message}");
        assert!(message.contains("dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/t"));
    }

    #[tokio::test]
    async fn outside_a_function_scope_calls_are_not_checked() {
        let client = crate::local::dynamo_client(NOWHERE);
        let error = client.list_tables().send().await.unwrap_err();
        // It went out (and found nothing listening) instead of being answered by the check.
        assert!(error.as_service_error().is_none(), "{error:?}");
    }

    #[tokio::test]
    async fn the_sns_sdk_reads_a_denial_as_authorization_error() {
        let client = crate::local::sns_client(NOWHERE);
        let call = client.publish().topic_arn("arn:aws:sns:us-east-1:000000000000:t").message("m");
        let error = iam::as_function(nobody(), call.send()).await.unwrap_err().into_service_error();
        assert!(error.is_authorization_error_exception(), "{error:?}");
        use aws_sdk_sns::error::ProvideErrorMetadata as _;
        assert!(error.message().unwrap().contains("sns:Publish on resource: arn:aws:sns:us-east-1:000000000000:t"));
    }

    #[tokio::test]
    async fn the_management_sdk_reads_a_denial_as_access_denied() {
        let config = aws_sdk_apigatewaymanagement::Config::builder()
            .behavior_version(aws_sdk_apigatewaymanagement::config::BehaviorVersion::latest())
            .region(aws_sdk_apigatewaymanagement::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_apigatewaymanagement::config::Credentials::new("l", "l", None, None, "t"))
            .endpoint_url(NOWHERE)
            .http_client(checking_default())
            .build();
        let client = aws_sdk_apigatewaymanagement::Client::from_conf(config);
        let call = client.post_to_connection().connection_id("c1").data(b"x".to_vec().into());
        let error = iam::as_function(nobody(), call.send()).await.unwrap_err().into_service_error();
        use aws_sdk_apigatewaymanagement::error::ProvideErrorMetadata as _;
        assert_eq!(error.code(), Some("AccessDeniedException"));
        assert!(error.message().unwrap().contains(
            "execute-api:ManageConnections on resource: \
             arn:aws:execute-api:us-east-1:000000000000:local-websocket-api/dev/POST/@connections/c1"
        ));
    }

    #[test]
    fn the_service_is_read_from_the_header_or_a_presigned_query() {
        use aws_smithy_types::body::SdkBody;
        let mut signed = HttpRequest::new(SdkBody::empty());
        signed.headers_mut().insert(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=local/20261201/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
        );
        assert_eq!(signing_service(&signed).as_deref(), Some("dynamodb"));
        let mut presigned = HttpRequest::new(SdkBody::empty());
        presigned
            .set_uri(
                "http://127.0.0.1:5000/b/k?x-id=GetObject&X-Amz-Algorithm=AWS4-HMAC-SHA256\
                 &X-Amz-Credential=local%2F20261201%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261201T000000Z",
            )
            .unwrap();
        assert_eq!(signing_service(&presigned).as_deref(), Some("s3"));
        assert_eq!(signing_service(&HttpRequest::new(SdkBody::empty())), None);
    }

    #[test]
    fn s3_denials_are_access_denied_xml() {
        let denial = Denial {
            function: "f".into(),
            action: "s3:GetObject".into(),
            resource: "arn:aws:s3:::b/k".into(),
            message: "User: x is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k".into(),
        };
        let response = denied_response("s3", &denial);
        assert_eq!(response.status().as_u16(), 403);
        let body = std::str::from_utf8(response.body().bytes().unwrap()).unwrap();
        assert!(body.contains("<Code>AccessDenied</Code>") && body.contains("s3:GetObject on resource"), "{body}");
    }
}
