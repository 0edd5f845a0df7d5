//! Turning raw request fields into domain values while collecting every error, so one
//! response lists all that is wrong rather than the first thing.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use super::{ApiError, FieldError};
use crate::domain::Invalid;

/// Collects field errors while a request body is parsed into domain values.
#[derive(Debug, Default)]
pub struct Fields {
    errors: Vec<FieldError>,
}

impl Fields {
    /// Keeps the value, or records why `field` was refused.
    pub fn check<T>(&mut self, field: impl Into<String>, parsed: Result<T, Invalid>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(reason) => {
                self.errors.push(FieldError::new(field, &reason));
                None
            }
        }
    }

    /// As [`Fields::check`], for a parse that reports every fault it found.
    pub fn check_all<T>(&mut self, field: &str, parsed: Result<T, Vec<Invalid>>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(reasons) => {
                self.errors.extend(reasons.iter().map(|reason| FieldError::new(field, reason)));
                None
            }
        }
    }

    /// Records a refusal that is not tied to a parse result.
    pub fn refuse(&mut self, field: impl Into<String>, reason: &Invalid) {
        self.errors.push(FieldError::new(field, reason));
    }

    /// True when nothing was refused so far.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    /// The 400 listing every refusal (or a generic one if, oddly, there is none).
    pub fn into_error(self) -> ApiError {
        if self.errors.is_empty() {
            return ApiError::Validation(vec![FieldError::message("body", "is invalid")]);
        }
        ApiError::Validation(self.errors)
    }
}

/// For `Option<Option<T>>` fields: absent stays `None`, `null` becomes `Some(None)`.
/// Use with `#[serde(default, deserialize_with = "nullable")]`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// As [`nullable`], for a nested object: only a JSON object (or `null`) is accepted. serde's
/// derived structs also take a JSON array of their fields in order, which the schema does
/// not allow (`[null, null]` must not pass for an object). Inner errors keep their field.
pub fn nullable_object<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let Some(map) = Option::<serde_json::Map<String, serde_json::Value>>::deserialize(deserializer)? else {
        return Ok(Some(None));
    };
    serde_path_to_error::deserialize(serde_json::Value::Object(map)).map(|inner| Some(Some(inner))).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if path == "." { serde::de::Error::custom(inner) } else { serde::de::Error::custom(format!("{path}: {inner}")) }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[serde(default)]
        year: Option<u8>,
        #[serde(default)]
        name: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    struct Outer {
        #[serde(default, deserialize_with = "nullable_object")]
        inner: Option<Option<Inner>>,
    }

    #[test]
    fn nested_objects_are_objects_or_null() {
        let parse = |text: &str| serde_json::from_str::<Outer>(text);
        assert!(parse(r#"{}"#).unwrap().inner.is_none());
        assert!(parse(r#"{"inner":null}"#).unwrap().inner.unwrap().is_none());
        let inner = parse(r#"{"inner":{"year":2,"name":"x"}}"#).unwrap().inner.unwrap().unwrap();
        assert_eq!((inner.year, inner.name.as_deref()), (Some(2), Some("x")));
        // serde's derived structs would take these arrays; the schema says object.
        assert!(parse(r#"{"inner":[null,null]}"#).is_err());
        assert!(parse(r#"{"inner":[2,"x"]}"#).is_err());
        assert!(parse(r#"{"inner":{"yeer":2}}"#).is_err());
    }

    #[test]
    fn every_reason_of_a_refused_parse_is_listed_under_the_field() {
        let mut fields = Fields::default();
        assert_eq!(fields.check_all("skills", Ok::<u8, Vec<Invalid>>(3)), Some(3));
        assert!(fields.is_clean());
        let refused: Result<u8, _> = Err(vec![Invalid::new("one"), Invalid::new("two")]);
        assert_eq!(fields.check_all("skills", refused), None);
        let ApiError::Validation(errors) = fields.into_error() else { panic!("a 400 expected") };
        assert_eq!(errors, [FieldError::message("skills", "one"), FieldError::message("skills", "two")]);
    }
}
