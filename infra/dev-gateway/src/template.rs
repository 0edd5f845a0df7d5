//! Reads what the local stack needs from template.yaml: routes, their functions, the
//! table definition and the CORS origins. The template is the one source of truth.

use std::collections::BTreeSet;
use std::path::Path;

use serde_yaml::Value;

/// A template could not be read or lacks what the stack needs.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not YAML.
    #[error("template is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
    /// Something expected is missing or malformed.
    #[error("template: {0}")]
    Shape(String),
}

/// One HTTP API route and the function (crate) that serves it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    /// Upper-case method.
    pub method: String,
    /// Path with `{name}` parameters.
    pub path: String,
    /// The crate/binary that serves it.
    pub function: String,
}

impl Route {
    /// The API Gateway route key, e.g. `GET /users/{id}`.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Path parameters when `path` matches this route's pattern.
    pub fn matches(&self, method: &str, path: &str) -> Option<Vec<(String, String)>> {
        if !self.method.eq_ignore_ascii_case(method) {
            return None;
        }
        let pattern: Vec<&str> = self.path.trim_matches('/').split('/').collect();
        let actual: Vec<&str> = path.trim_matches('/').split('/').collect();
        if pattern.len() != actual.len() {
            return None;
        }
        let mut params = Vec::new();
        for (want, got) in pattern.iter().zip(&actual) {
            match want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                Some(name) if !got.is_empty() => params.push((name.to_owned(), (*got).to_owned())),
                Some(_) => return None,
                None if want == got => {}
                None => return None,
            }
        }
        Some(params)
    }
}

/// A schedule that invokes a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// The event's name in the template (e.g. `Every5Minutes`).
    pub name: String,
    /// The crate/binary it invokes.
    pub function: String,
    /// `rate(...)` or `cron(...)`.
    pub expression: String,
}

impl Schedule {
    /// The period of a `rate(N unit)` expression; `None` for cron expressions.
    pub fn period(&self) -> Option<std::time::Duration> {
        let inner = self.expression.strip_prefix("rate(")?.strip_suffix(')')?;
        let (count, unit) = inner.trim().split_once(' ')?;
        let count: u64 = count.parse().ok()?;
        let seconds = match unit.trim_end_matches('s') {
            "minute" => 60,
            "hour" => 3600,
            "day" => 86_400,
            _ => return None,
        };
        Some(std::time::Duration::from_secs(count * seconds))
    }
}

/// What the local stack reads from the template.
#[derive(Debug, Clone)]
pub struct Template {
    /// Every HTTP route.
    pub routes: Vec<Route>,
    /// Every schedule.
    pub schedules: Vec<Schedule>,
    /// Every function (by crate name), including ones without HTTP routes.
    pub functions: BTreeSet<String>,
    /// The `Table` resource's properties, as written.
    pub table: Value,
    /// Default of the `AllowedOrigins` parameter.
    pub allowed_origins: Vec<String>,
}

impl Template {
    /// Loads and reads the template at `path`.
    pub fn load(path: &Path) -> Result<Self, TemplateError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| TemplateError::Io { path: path.display().to_string(), source })?;
        Self::parse(&text)
    }

    /// Reads a template from text.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let doc: Value = serde_yaml::from_str(text)?;
        let resources = doc
            .get("Resources")
            .and_then(Value::as_mapping)
            .ok_or_else(|| TemplateError::Shape("no Resources".into()))?;
        let mut routes = Vec::new();
        let mut schedules = Vec::new();
        let mut functions = BTreeSet::new();
        for (logical_id, resource) in resources {
            if resource.get("Type").and_then(Value::as_str) != Some("AWS::Serverless::Function") {
                continue;
            }
            let id = logical_id.as_str().unwrap_or("?");
            let binary = resource
                .get("Metadata")
                .and_then(|m| m.get("BuildProperties"))
                .and_then(|b| b.get("Binary"))
                .and_then(Value::as_str)
                .ok_or_else(|| TemplateError::Shape(format!("{id}: no Metadata.BuildProperties.Binary")))?;
            functions.insert(binary.to_owned());
            let events = resource.get("Properties").and_then(|p| p.get("Events")).and_then(Value::as_mapping);
            for (event_name, event) in events.into_iter().flatten() {
                let kind = event.get("Type").and_then(Value::as_str);
                if matches!(kind, Some("Schedule" | "ScheduleV2")) {
                    let properties = event.get("Properties");
                    let expression = properties
                        .and_then(|p| p.get("Schedule").or_else(|| p.get("ScheduleExpression")))
                        .and_then(Value::as_str)
                        .ok_or_else(|| TemplateError::Shape(format!("{id}: schedule without an expression")))?;
                    schedules.push(Schedule {
                        name: event_name.as_str().unwrap_or("schedule").to_owned(),
                        function: binary.to_owned(),
                        expression: expression.to_owned(),
                    });
                    continue;
                }
                if kind != Some("HttpApi") {
                    continue;
                }
                let properties = event.get("Properties");
                let field = |name: &str| properties.and_then(|p| p.get(name)).and_then(Value::as_str);
                let (Some(method), Some(path)) = (field("Method"), field("Path")) else {
                    return Err(TemplateError::Shape(format!("{id}: HttpApi event without Method/Path")));
                };
                routes.push(Route {
                    method: method.to_uppercase(),
                    path: path.to_owned(),
                    function: binary.to_owned(),
                });
            }
        }
        routes.sort();
        let table = resources
            .get("Table")
            .and_then(|t| t.get("Properties"))
            .cloned()
            .ok_or_else(|| TemplateError::Shape("no Table resource with Properties".into()))?;
        let allowed_origins = doc
            .get("Parameters")
            .and_then(|p| p.get("AllowedOrigins"))
            .and_then(|p| p.get("Default"))
            .and_then(Value::as_str)
            .map(|list| list.split(',').map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect())
            .unwrap_or_default();
        Ok(Self { routes, schedules, functions, table, allowed_origins })
    }

    /// The route serving `method` and `path`, with its path parameters.
    pub fn route(&self, method: &str, path: &str) -> Option<(&Route, Vec<(String, String)>)> {
        self.routes.iter().find_map(|route| route.matches(method, path).map(|params| (route, params)))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn route(method: &str, path: &str) -> Route {
        Route { method: method.into(), path: path.into(), function: "f".into() }
    }

    #[test]
    fn matches_literal_and_parameter_segments() {
        let users = route("GET", "/users/{id}");
        assert_eq!(users.matches("GET", "/users/01ABC"), Some(vec![("id".into(), "01ABC".into())]));
        assert_eq!(users.matches("POST", "/users/01ABC"), None);
        assert_eq!(users.matches("GET", "/users/"), None);
        assert_eq!(users.matches("GET", "/users/1/2"), None);
        assert_eq!(route("GET", "/me").matches("get", "/me"), Some(vec![]));
    }

    #[test]
    fn rate_expressions_have_periods() {
        let schedule =
            |expression: &str| Schedule { name: "s".into(), function: "f".into(), expression: expression.into() };
        assert_eq!(schedule("rate(5 minutes)").period(), Some(std::time::Duration::from_secs(300)));
        assert_eq!(schedule("rate(1 hour)").period(), Some(std::time::Duration::from_secs(3600)));
        assert_eq!(schedule("cron(5 0 ? * MON *)").period(), None);
    }

    #[test]
    fn reads_the_repository_template() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        let template = Template::load(&path).unwrap();
        assert!(template.routes.iter().any(|r| r.key() == "POST /auth/register" && r.function == "register"));
        assert!(template.table.get("KeySchema").is_some());
        assert!(!template.allowed_origins.is_empty());
    }
}
