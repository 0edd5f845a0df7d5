//! JSON request bodies: size limit, media type, and errors that name the field.
//!
//! One rule for unknown fields: request types deny them (`#[serde(deny_unknown_fields)]`),
//! and the 400 names the field, so a typo ("hedline") never silently does nothing.

use http::header;
use lambda_http::Request;
use serde::Deserialize as _;
use serde::de::DeserializeOwned;

use super::{ApiError, FieldError};

/// The largest body any endpoint accepts. A full profile (30 skills, 50 availability
/// windows, a 2000-character bio) is under 8 KiB.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Parses the body as JSON into `T`, with the failing field named on error.
pub fn parse_json<T: DeserializeOwned>(request: &Request) -> Result<T, ApiError> {
    // `Body` derefs to its bytes (empty for `Body::Empty`).
    let bytes: &[u8] = request.body();
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    require_json_type(request)?;
    parse_json_bytes(bytes)
}

/// A non-empty body must say it is JSON (parameters such as `; charset=utf-8` allowed),
/// 415 otherwise, also on endpoints that read no body: a client sending a form or an
/// untyped body learns it at once. An empty body needs no type.
pub fn require_json_type(request: &Request) -> Result<(), ApiError> {
    let body: &[u8] = request.body();
    if body.is_empty() || is_json(request.headers().get(header::CONTENT_TYPE)) {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType)
    }
}

/// True for `application/json`, in any case, with or without parameters.
fn is_json(content_type: Option<&http::HeaderValue>) -> bool {
    let Some(value) = content_type.and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// Parses JSON text into `T` (a WebSocket frame, say), with the failing field named on error.
pub fn parse_json_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::Validation(vec![FieldError::message("body", "a JSON object is required")]));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let mut json = serde_json::Value::deserialize(&mut deserializer)
        .map_err(|_| ApiError::Validation(vec![FieldError::message("body", "is not valid JSON")]))?;
    deserializer.end().map_err(|_| {
        ApiError::Validation(vec![FieldError::message("body", "trailing characters after the JSON value")])
    })?;
    integral_floats_as_integers(&mut json);
    serde_path_to_error::deserialize(json).map_err(|error| field_error(&error))
}

/// JSON does not tell `1` from `1.0`, and JSON Schema calls both integers: an integer field
/// must take either. serde refuses a float for an integer type, so whole floats become
/// integers first (floats that are not whole stay, and are refused by integer fields).
fn integral_floats_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(number) if number.is_f64() => {
            let float = number.as_f64().unwrap_or(f64::NAN);
            // The bounds keep the cast exact (|x| < 2^63 is within i64).
            if float.fract() == 0.0 && float.abs() < 9.0e18 {
                *value = Value::from(float as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

fn field_error(error: &serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let inner = error.inner();
    let path = error.path().to_string();
    let message = inner.to_string();
    let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
    let field_error = if inner.is_syntax() || inner.is_eof() {
        FieldError::message("body", "is not valid JSON")
    } else if let Some(name) = backticked(&message, "unknown field `") {
        // The path already ends at the unknown field.
        FieldError::message(if path == "." { name.to_owned() } else { path }, "is not a known field")
    } else if let Some(name) = backticked(&message, "missing field `") {
        FieldError::message(join(&path, name), "is required")
    } else {
        // Type errors and domain refusals raised while deserialising (e.g. `try_from`).
        FieldError::message(if path == "." { "body".into() } else { path }, message)
    };
    ApiError::Validation(vec![field_error])
}

fn backticked<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    message.strip_prefix(prefix)?.split('`').next()
}

fn join(path: &str, name: &str) -> String {
    if path == "." || path.is_empty() { name.to_owned() } else { format!("{path}.{name}") }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use lambda_http::Body;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        level: u8,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        #[serde(default)]
        skills: Vec<Inner>,
    }

    fn request(body: &str) -> Request {
        let mut request = Request::new(Body::Text(body.into()));
        request.headers_mut().insert(header::CONTENT_TYPE, "application/json; charset=utf-8".parse().unwrap());
        request
    }

    fn field_of(result: Result<Outer, ApiError>) -> String {
        match result.unwrap_err() {
            ApiError::Validation(errors) => errors[0].field.clone(),
            other => panic!("expected validation error, got {other:?}"),
        }
    }

    #[test]
    fn names_the_unknown_field() {
        assert_eq!(field_of(parse_json(&request(r#"{"name":"a","nmae":"b"}"#))), "nmae");
        assert_eq!(field_of(parse_json(&request(r#"{"name":"a","skills":[{"level":1,"lvl":2}]}"#))), "skills[0].lvl");
    }

    #[test]
    fn names_the_missing_field() {
        assert_eq!(field_of(parse_json(&request(r#"{}"#))), "name");
    }

    #[test]
    fn names_the_nested_wrong_type() {
        assert_eq!(
            field_of(parse_json(&request(r#"{"name":"a","skills":[{"level":1},{"level":"x"}]}"#))),
            "skills[1].level"
        );
    }

    #[test]
    fn bad_json_is_a_body_error() {
        assert_eq!(field_of(parse_json(&request(r#"{"name":"#))), "body");
        assert_eq!(field_of(parse_json(&request(""))), "body");
    }

    #[test]
    fn oversized_and_wrong_type_are_refused() {
        let big = format!(r#"{{"name":"{}"}}"#, "a".repeat(MAX_BODY_BYTES));
        assert!(matches!(parse_json::<Outer>(&request(&big)), Err(ApiError::PayloadTooLarge)));
        let mut form = request(r#"{"name":"a"}"#);
        form.headers_mut().insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert!(matches!(parse_json::<Outer>(&form), Err(ApiError::UnsupportedMediaType)));
    }

    #[test]
    fn a_body_without_a_content_type_is_refused() {
        let mut untyped = request(r#"{"name":"a"}"#);
        untyped.headers_mut().remove(header::CONTENT_TYPE);
        assert!(matches!(parse_json::<Outer>(&untyped), Err(ApiError::UnsupportedMediaType)));
        // Empty: nothing to type, and the answer says a body is required.
        let mut empty = request("");
        empty.headers_mut().remove(header::CONTENT_TYPE);
        assert_eq!(field_of(parse_json(&empty)), "body");
    }

    #[test]
    fn json_with_parameters_and_any_case_is_accepted() {
        for content_type in [
            "application/json",
            "Application/JSON",
            "application/json;charset=UTF-8",
            " application/json ; charset=utf-8",
        ] {
            let mut typed = request(r#"{"name":"a"}"#);
            typed.headers_mut().insert(header::CONTENT_TYPE, content_type.parse().unwrap());
            assert!(parse_json::<Outer>(&typed).is_ok(), "{content_type}");
        }
        for content_type in ["application/jsonx", "application/problem+json", "text/json", ""] {
            let mut typed = request(r#"{"name":"a"}"#);
            typed.headers_mut().insert(header::CONTENT_TYPE, content_type.parse().unwrap());
            assert!(matches!(parse_json::<Outer>(&typed), Err(ApiError::UnsupportedMediaType)), "{content_type}");
        }
    }

    #[test]
    fn whole_floats_are_integers() {
        let outer: Outer = parse_json(&request(r#"{"name":"a","skills":[{"level":3.0}]}"#)).unwrap();
        assert_eq!(outer.skills[0].level, 3);
        assert_eq!(field_of(parse_json(&request(r#"{"name":"a","skills":[{"level":3.5}]}"#))), "skills[0].level");
    }

    #[test]
    fn valid_body_parses() {
        let outer: Outer = parse_json(&request(r#"{"name":"a","skills":[{"level":3}]}"#)).unwrap();
        assert_eq!(outer.skills[0].level, 3);
    }
}
