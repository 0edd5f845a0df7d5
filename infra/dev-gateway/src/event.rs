//! API Gateway HTTP API (payload 2.0) events, built the way API Gateway builds them and
//! turned into a `lambda_http::Request` by the same code path Lambda uses.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use http::HeaderMap;
use serde_json::{Map, Value, json};

/// One incoming HTTP call, as the gateway received it.
#[derive(Debug, Clone, Copy)]
pub struct HttpCall<'a> {
    /// Method, e.g. `POST`.
    pub method: &'a str,
    /// Path without query.
    pub path: &'a str,
    /// Raw query string, without `?`.
    pub query: &'a str,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// Raw body.
    pub body: &'a [u8],
    /// Caller address.
    pub source_ip: &'a str,
}

/// Builds the payload-2.0 event for `call` matched to `route_key` with `path_params`.
pub fn http_event(
    call: &HttpCall<'_>,
    route_key: &str,
    path_params: &[(String, String)],
    request_id: &str,
    now: DateTime<Utc>,
) -> Value {
    // Header names are lower-cased and repeated headers joined with commas; cookies move
    // to their own array, as API Gateway does.
    let mut headers = Map::new();
    let mut cookies = Vec::new();
    for (name, value) in call.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == http::header::COOKIE {
            cookies.extend(value.split(';').map(|c| Value::String(c.trim().to_owned())));
            continue;
        }
        match headers.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(&value);
            }
            _ => {
                headers.insert(name.as_str().to_owned(), Value::String(value));
            }
        }
    }
    let mut query = Map::new();
    for (key, value) in form_urlencoded::parse(call.query.as_bytes()) {
        match query.get_mut(key.as_ref()) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(&value);
            }
            _ => {
                query.insert(key.into_owned(), Value::String(value.into_owned()));
            }
        }
    }
    let path_parameters: Map<String, Value> =
        path_params.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    let user_agent = headers.get("user-agent").cloned().unwrap_or(Value::String(String::new()));
    let host = headers.get("host").and_then(Value::as_str).unwrap_or("localhost").to_owned();
    let (body, is_base64) = match std::str::from_utf8(call.body) {
        _ if call.body.is_empty() => (Value::Null, false),
        Ok(text) => (Value::String(text.to_owned()), false),
        Err(_) => (Value::String(STANDARD.encode(call.body)), true),
    };
    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": call.path,
        "rawQueryString": call.query,
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": host,
            "domainPrefix": host.split('.').next().unwrap_or("localhost"),
            "http": {
                "method": call.method,
                "path": call.path,
                "protocol": "HTTP/1.1",
                "sourceIp": call.source_ip,
                "userAgent": user_agent,
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "timeEpoch": now.timestamp_millis(),
        },
        "isBase64Encoded": is_base64,
    });
    if let Some(object) = event.as_object_mut() {
        if !cookies.is_empty() {
            object.insert("cookies".into(), Value::Array(cookies));
        }
        if !query.is_empty() {
            object.insert("queryStringParameters".into(), Value::Object(query));
        }
        if !path_parameters.is_empty() {
            object.insert("pathParameters".into(), Value::Object(path_parameters));
        }
        if !body.is_null() {
            object.insert("body".into(), body);
        }
    }
    event
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use lambda_http::RequestExt as _;

    #[test]
    fn lambda_http_reads_our_event() {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.append("x-thing", "a".parse().unwrap());
        headers.append("x-thing", "b".parse().unwrap());
        let call = HttpCall {
            method: "GET",
            path: "/users/01ABC",
            query: "a=1&a=2&b=%20x",
            headers: &headers,
            body: &[0xff, 0x00],
            source_ip: "127.0.0.1",
        };
        let params = vec![("id".to_owned(), "01ABC".to_owned())];
        let event = http_event(&call, "GET /users/{id}", &params, "req-1", Utc::now());
        let request = lambda_http::request::from_str(&event.to_string()).unwrap();
        assert_eq!(request.method(), "GET");
        assert_eq!(request.path_parameters().first("id"), Some("01ABC"));
        assert_eq!(request.query_string_parameters().all("a"), Some(vec!["1", "2"]));
        assert_eq!(request.query_string_parameters().first("b"), Some(" x"));
        assert_eq!(request.headers().get("x-thing").unwrap(), "a,b");
        assert_eq!(request.body().as_ref(), &[0xff, 0x00]);
        assert_eq!(shared::http::route_key(&request), "GET /users/{id}");
    }
}
