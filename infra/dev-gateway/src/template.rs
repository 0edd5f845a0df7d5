//! Reads what the local stack needs from template.yaml: routes, their functions, schedules,
//! stream subscriptions, the table definition, the CORS origins and each function's IAM
//! policies. The template is the one source of truth.

use std::collections::{BTreeMap, BTreeSet};
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
    /// The event's `Input`: the JSON the function gets instead of the EventBridge event.
    pub input: Option<serde_json::Value>,
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

    /// Whether a `cron(min hour day-of-month month day-of-week year)` expression fires in
    /// the minute of `at` (UTC, as EventBridge evaluates it). Supports `*`, `?`, numbers,
    /// `MON`-style day and `JAN`-style month names, lists and ranges; `false` for rates.
    pub fn fires_at(&self, at: chrono::DateTime<chrono::Utc>) -> bool {
        use chrono::{Datelike as _, Timelike as _};
        let Some(inner) = self.expression.strip_prefix("cron(").and_then(|e| e.strip_suffix(')')) else {
            return false;
        };
        let fields: Vec<&str> = inner.split_whitespace().collect();
        let [minute, hour, day, month, weekday, year] = fields[..] else { return false };
        // EventBridge numbers weekdays 1 (SUN) to 7 (SAT).
        let weekday_number = at.weekday().num_days_from_sunday() + 1;
        cron_field(minute, at.minute(), &[])
            && cron_field(hour, at.hour(), &[])
            && cron_field(day, at.day(), &[])
            && cron_field(month, at.month(), &MONTHS)
            && cron_field(weekday, weekday_number, &WEEKDAYS)
            && cron_field(year, u32::try_from(at.year()).unwrap_or(0), &[])
    }
}

impl Schedule {
    /// Whether a cron schedule fires in any minute after `after` up to `until`
    /// (looking back at most 45 days); `false` for rates and when time moved back.
    pub fn fires_between(&self, after: chrono::DateTime<chrono::Utc>, until: chrono::DateTime<chrono::Utc>) -> bool {
        let first = after.timestamp().div_euclid(60) + 1;
        let last = until.timestamp().div_euclid(60);
        let first = first.max(last - 45 * 24 * 60);
        (first..=last).filter_map(|minute| chrono::DateTime::from_timestamp(minute * 60, 0)).any(|at| self.fires_at(at))
    }
}

const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// Whether `value` is in one cron field: `*`/`?`, or a comma list of numbers, names
/// (1-based positions in `names`) and ranges.
fn cron_field(field: &str, value: u32, names: &[&str]) -> bool {
    let number = |text: &str| {
        text.parse::<u32>()
            .ok()
            .or_else(|| names.iter().position(|n| n.eq_ignore_ascii_case(text)).map(|i| i as u32 + 1))
    };
    field == "*"
        || field == "?"
        || field.split(',').any(|part| match part.split_once('-') {
            Some((low, high)) => matches!((number(low), number(high)), (Some(l), Some(h)) if (l..=h).contains(&value)),
            None => number(part) == Some(value),
        })
}

/// A function subscribed to the table's DynamoDB stream (a SAM `Type: DynamoDB` event), with
/// the event source mapping settings the local poller honours.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamSubscription {
    /// The event's name in the template (e.g. `Notifications`).
    pub name: String,
    /// The crate/binary it invokes.
    pub function: String,
    /// Most records per invocation (`BatchSize`; Lambda's default for DynamoDB is 100).
    pub batch_size: usize,
    /// `MaximumRetryAttempts`; `None` when unset or `-1` (unbounded in the cloud).
    pub max_retries: Option<u32>,
    /// Whether `FunctionResponseTypes` includes `ReportBatchItemFailures`.
    pub report_failures: bool,
    /// The parsed `FilterCriteria.Filters[].Pattern` JSON; empty means every record.
    pub patterns: Vec<serde_json::Value>,
}

/// Lambda's default `BatchSize` for DynamoDB event source mappings.
const DEFAULT_STREAM_BATCH_SIZE: usize = 100;
/// Lambda's upper bound on `BatchSize` for DynamoDB event source mappings.
const MAX_STREAM_BATCH_SIZE: usize = 10_000;

/// Reads one `Type: DynamoDB` event. `id` and `event` name it in error messages.
fn stream_subscription(
    id: &str,
    event: &str,
    binary: &str,
    properties: Option<&Value>,
) -> Result<Option<StreamSubscription>, TemplateError> {
    let shape = |message: String| TemplateError::Shape(format!("{id}.{event}: {message}"));
    let property = |name: &str| properties.and_then(|p| p.get(name));
    // A disabled mapping delivers nothing in the cloud either.
    if property("Enabled").and_then(Value::as_bool) == Some(false) {
        return Ok(None);
    }
    // Numbers may be written as YAML numbers or as strings; CloudFormation takes both.
    let integer = |name: &str| -> Result<Option<i64>, TemplateError> {
        match property(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| shape(format!("{name} is not an integer"))),
            Some(Value::String(s)) => {
                s.trim().parse().map(Some).map_err(|_| shape(format!("{name} is not an integer")))
            }
            Some(_) => Err(shape(format!("{name} is not an integer"))),
        }
    };
    let batch_size = match integer("BatchSize")? {
        None => DEFAULT_STREAM_BATCH_SIZE,
        Some(n) => usize::try_from(n)
            .ok()
            .filter(|size| (1..=MAX_STREAM_BATCH_SIZE).contains(size))
            .ok_or_else(|| shape(format!("BatchSize {n} is outside 1..={MAX_STREAM_BATCH_SIZE}")))?,
    };
    let max_retries = match integer("MaximumRetryAttempts")? {
        None | Some(-1) => None,
        Some(n) => Some(u32::try_from(n).map_err(|_| shape(format!("MaximumRetryAttempts {n} is invalid")))?),
    };
    let report_failures = property("FunctionResponseTypes")
        .and_then(Value::as_sequence)
        .is_some_and(|types| types.iter().any(|t| t.as_str() == Some("ReportBatchItemFailures")));
    let filters = property("FilterCriteria").and_then(|c| c.get("Filters")).and_then(Value::as_sequence);
    let mut patterns = Vec::new();
    for filter in filters.into_iter().flatten() {
        // CloudFormation wants the pattern as a JSON string; a YAML mapping would fail to
        // deploy, so it is refused here too rather than silently accepted.
        let text = filter
            .get("Pattern")
            .and_then(Value::as_str)
            .ok_or_else(|| shape("FilterCriteria filter without a Pattern string".into()))?;
        let pattern: serde_json::Value =
            serde_json::from_str(text).map_err(|e| shape(format!("filter Pattern is not JSON: {e}")))?;
        if !pattern.is_object() {
            return Err(shape("filter Pattern must be a JSON object".into()));
        }
        patterns.push(pattern);
    }
    Ok(Some(StreamSubscription {
        name: event.to_owned(),
        function: binary.to_owned(),
        batch_size,
        max_retries,
        report_failures,
        patterns,
    }))
}

/// A route of the WebSocket API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSocketRoute {
    /// `$connect`, `$disconnect`, `$default` or an `action` value.
    pub key: String,
    /// The function's binary name.
    pub function: String,
    /// The route has a route response: the function's response body goes back to the caller.
    pub replies: bool,
}

/// The text of a plain string or of a `!Sub` string.
fn sub_text(value: &Value) -> Option<&str> {
    match value {
        Value::Tagged(tagged) => tagged.value.as_str(),
        other => other.as_str(),
    }
}

/// The logical ids in the `${Id}` and `${Id.Attribute}` references of a `!Sub` string.
fn references(text: &str) -> impl Iterator<Item = &str> {
    text.split("${").skip(1).filter_map(|rest| rest.split('}').next()).filter_map(|r| r.split('.').next())
}

/// The WebSocket API's routes: Route -> Target integration -> IntegrationUri function.
fn websocket_routes(
    resources: &serde_yaml::Mapping,
    binaries: &std::collections::HashMap<String, String>,
) -> Result<Vec<WebSocketRoute>, TemplateError> {
    let of_type = |wanted: &'static str| {
        resources
            .iter()
            .filter(move |(_, r)| r.get("Type").and_then(Value::as_str) == Some(wanted))
            .map(|(id, r)| (id.as_str().unwrap_or("?"), r.get("Properties")))
    };
    if let Some((id, properties)) = of_type("AWS::ApiGatewayV2::Api").next() {
        let selection = properties.and_then(|p| p.get("RouteSelectionExpression")).and_then(Value::as_str);
        if selection != Some("$request.body.action") {
            return Err(TemplateError::Shape(format!("{id}: the local gateway routes by $request.body.action only")));
        }
    }
    let mut routes = Vec::new();
    for (id, properties) in of_type("AWS::ApiGatewayV2::Route") {
        let shape = |what: &str| TemplateError::Shape(format!("{id}: {what}"));
        let key =
            properties.and_then(|p| p.get("RouteKey")).and_then(Value::as_str).ok_or_else(|| shape("no RouteKey"))?;
        let integration = properties
            .and_then(|p| p.get("Target"))
            .and_then(sub_text)
            .and_then(|text| references(text).next())
            .ok_or_else(|| shape("Target is not !Sub integrations/${Integration}"))?;
        let function = resources
            .get(integration)
            .and_then(|i| i.get("Properties"))
            .and_then(|p| p.get("IntegrationUri"))
            .and_then(sub_text)
            .and_then(|text| references(text).find_map(|id| binaries.get(id)))
            .ok_or_else(|| shape("its integration does not name a function of this template"))?;
        let replies = properties.and_then(|p| p.get("RouteResponseSelectionExpression")).is_some();
        routes.push(WebSocketRoute { key: key.to_owned(), function: function.clone(), replies });
    }
    routes.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(routes)
}

/// What the local stack reads from the template.
#[derive(Debug, Clone)]
pub struct Template {
    /// Every HTTP route.
    pub routes: Vec<Route>,
    /// Every schedule.
    pub schedules: Vec<Schedule>,
    /// Every function subscribed to the table's stream.
    pub streams: Vec<StreamSubscription>,
    /// The WebSocket API's routes.
    pub websocket_routes: Vec<WebSocketRoute>,
    /// Default of the `Stage` parameter (the APIs' stage name).
    pub stage: String,
    /// Every function (by crate name), including ones without HTTP routes.
    pub functions: BTreeSet<String>,
    /// The `Table` resource's properties, as written.
    pub table: Value,
    /// Default of the `AllowedOrigins` parameter.
    pub allowed_origins: Vec<String>,
    /// Each function's `Policies` as written (by binary name), resolved by [`crate::iam`].
    pub policies: BTreeMap<String, Vec<Value>>,
    /// Every resource's `Type`, by logical id (what a `!Ref` or `!GetAtt` names).
    pub resource_types: BTreeMap<String, String>,
    /// Every parameter's `Default`, as text.
    pub parameters: BTreeMap<String, String>,
    /// Each function's memory in MB (its `MemorySize`, else the Globals'), by binary name:
    /// what Lambda bills GB-seconds on (`make cost`).
    pub memory_mb: BTreeMap<String, u64>,
    /// The names of each function's own environment variables (not the Globals'), by
    /// binary name: what its wiring must read.
    pub environment: BTreeMap<String, BTreeSet<String>>,
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
        let mut streams = Vec::new();
        let mut functions = BTreeSet::new();
        let mut binaries = std::collections::HashMap::new();
        let mut policies = BTreeMap::new();
        let mut resource_types = BTreeMap::new();
        let mut memory_mb = BTreeMap::new();
        let mut environment = BTreeMap::new();
        // Lambda's own default when neither the function nor Globals says.
        let default_memory = doc
            .get("Globals")
            .and_then(|g| g.get("Function"))
            .and_then(|f| f.get("MemorySize"))
            .and_then(Value::as_u64)
            .unwrap_or(128);
        for (logical_id, resource) in resources {
            if let (Some(id), Some(kind)) = (logical_id.as_str(), resource.get("Type").and_then(Value::as_str)) {
                resource_types.insert(id.to_owned(), kind.to_owned());
            }
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
            binaries.insert(id.to_owned(), binary.to_owned());
            let memory = resource.get("Properties").and_then(|p| p.get("MemorySize")).and_then(Value::as_u64);
            memory_mb.insert(binary.to_owned(), memory.unwrap_or(default_memory));
            let variables = resource
                .get("Properties")
                .and_then(|p| p.get("Environment"))
                .and_then(|e| e.get("Variables"))
                .and_then(Value::as_mapping);
            let names = variables.into_iter().flatten().filter_map(|(name, _)| name.as_str().map(str::to_owned));
            environment.insert(binary.to_owned(), names.collect());
            let declared = resource.get("Properties").and_then(|p| p.get("Policies"));
            let declared = match declared {
                None => Vec::new(),
                Some(Value::Sequence(list)) => list.clone(),
                // SAM also takes a single policy (a name or a document) instead of a list.
                Some(one) => vec![one.clone()],
            };
            policies.insert(binary.to_owned(), declared);
            let events = resource.get("Properties").and_then(|p| p.get("Events")).and_then(Value::as_mapping);
            for (event_name, event) in events.into_iter().flatten() {
                let kind = event.get("Type").and_then(Value::as_str);
                if matches!(kind, Some("Schedule" | "ScheduleV2")) {
                    let properties = event.get("Properties");
                    let expression = properties
                        .and_then(|p| p.get("Schedule").or_else(|| p.get("ScheduleExpression")))
                        .and_then(Value::as_str)
                        .ok_or_else(|| TemplateError::Shape(format!("{id}: schedule without an expression")))?;
                    let input = match properties.and_then(|p| p.get("Input")).and_then(Value::as_str) {
                        Some(text) => Some(
                            serde_json::from_str(text)
                                .map_err(|e| TemplateError::Shape(format!("{id}: schedule Input is not JSON: {e}")))?,
                        ),
                        None => None,
                    };
                    schedules.push(Schedule {
                        name: event_name.as_str().unwrap_or("schedule").to_owned(),
                        function: binary.to_owned(),
                        expression: expression.to_owned(),
                        input,
                    });
                    continue;
                }
                if kind == Some("DynamoDB") {
                    let name = event_name.as_str().unwrap_or("stream");
                    streams.extend(stream_subscription(id, name, binary, event.get("Properties"))?);
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
        let websocket_routes = websocket_routes(resources, &binaries)?;
        let stage = doc
            .get("Parameters")
            .and_then(|p| p.get("Stage"))
            .and_then(|p| p.get("Default"))
            .and_then(Value::as_str)
            .unwrap_or("dev")
            .to_owned();
        let parameters = doc
            .get("Parameters")
            .and_then(Value::as_mapping)
            .into_iter()
            .flatten()
            .filter_map(|(name, parameter)| {
                let default = match parameter.get("Default")? {
                    Value::String(text) => text.clone(),
                    Value::Number(number) => number.to_string(),
                    Value::Bool(flag) => flag.to_string(),
                    _ => return None,
                };
                Some((name.as_str()?.to_owned(), default))
            })
            .collect();
        Ok(Self {
            routes,
            schedules,
            streams,
            websocket_routes,
            stage,
            functions,
            table,
            allowed_origins,
            policies,
            resource_types,
            parameters,
            memory_mb,
            environment,
        })
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
    fn websocket_routes_follow_target_to_function() {
        let template = Template::parse(
            r#"
Parameters:
  Stage:
    Default: prod
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {}
  ChatFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties:
        Binary: chat
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: $request.body.action
  ChatIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      IntegrationUri: !Sub 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ChatFunction.Arn}/invocations'
  SendRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      RouteKey: send
      Target: !Sub 'integrations/${ChatIntegration}'
      RouteResponseSelectionExpression: $default
  ConnectRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      RouteKey: $connect
      Target: !Sub 'integrations/${ChatIntegration}'
"#,
        )
        .unwrap();
        assert_eq!(template.stage, "prod");
        assert_eq!(
            template.websocket_routes,
            vec![
                WebSocketRoute { key: "$connect".into(), function: "chat".into(), replies: false },
                WebSocketRoute { key: "send".into(), function: "chat".into(), replies: true },
            ]
        );
    }

    #[test]
    fn rate_expressions_have_periods() {
        let schedule = |expression: &str| Schedule {
            name: "s".into(),
            function: "f".into(),
            expression: expression.into(),
            input: None,
        };
        assert_eq!(schedule("rate(5 minutes)").period(), Some(std::time::Duration::from_secs(300)));
        assert_eq!(schedule("rate(1 hour)").period(), Some(std::time::Duration::from_secs(3600)));
        assert_eq!(schedule("cron(5 0 ? * MON *)").period(), None);
    }

    #[test]
    fn cron_expressions_fire_in_their_minutes_only() {
        let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text).unwrap().to_utc();
        let weekly =
            Schedule { name: "w".into(), function: "f".into(), expression: "cron(5 0 ? * MON *)".into(), input: None };
        assert!(weekly.fires_at(at("2026-11-23T00:05:00Z")), "a Monday");
        assert!(!weekly.fires_at(at("2026-11-24T00:05:00Z")), "a Tuesday");
        assert!(!weekly.fires_at(at("2026-11-23T00:06:00Z")));
        let monthly =
            Schedule { name: "m".into(), function: "f".into(), expression: "cron(10 0 1 * ? *)".into(), input: None };
        assert!(monthly.fires_at(at("2026-12-01T00:10:30Z")));
        assert!(!monthly.fires_at(at("2026-12-02T00:10:00Z")));
        let ranged = Schedule {
            name: "r".into(),
            function: "f".into(),
            expression: "cron(0 9-17 ? JAN,FEB MON-FRI 2027)".into(),
            input: None,
        };
        assert!(ranged.fires_at(at("2027-02-03T12:00:00Z")));
        assert!(!ranged.fires_at(at("2027-03-03T12:00:00Z")));
        let rate =
            Schedule { name: "e".into(), function: "f".into(), expression: "rate(5 minutes)".into(), input: None };
        assert!(!rate.fires_at(at("2027-03-03T12:00:00Z")));
    }

    #[test]
    fn a_moved_clock_fires_what_fell_due_in_between() {
        let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text).unwrap().to_utc();
        let weekly =
            Schedule { name: "w".into(), function: "f".into(), expression: "cron(5 0 ? * MON *)".into(), input: None };
        // Sunday 23:30 -> Tuesday 07:30 crosses Monday 00:05.
        assert!(weekly.fires_between(at("2026-11-22T23:30:00Z"), at("2026-11-24T07:30:00Z")));
        assert!(!weekly.fires_between(at("2026-11-23T00:05:00Z"), at("2026-11-24T07:30:00Z")), "already fired");
        assert!(weekly.fires_between(at("2026-11-23T00:04:59Z"), at("2026-11-23T00:05:00Z")));
        assert!(!weekly.fires_between(at("2026-11-24T07:30:00Z"), at("2026-11-22T23:30:00Z")), "moved back");
        let rate =
            Schedule { name: "e".into(), function: "f".into(), expression: "rate(5 minutes)".into(), input: None };
        assert!(!rate.fires_between(at("2026-11-22T23:30:00Z"), at("2026-11-24T07:30:00Z")));
    }

    const STREAM_TEMPLATE: &str = r#"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      StreamSpecification:
        StreamViewType: NEW_AND_OLD_IMAGES
  NotifyFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties:
        Binary: notify
    Properties:
      Events:
        Notifications:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: LATEST
            BatchSize: 25
            MaximumBatchingWindowInSeconds: 1
            BisectBatchOnFunctionError: true
            MaximumRetryAttempts: 5
            FunctionResponseTypes: [ReportBatchItemFailures]
            FilterCriteria:
              Filters:
                - Pattern: '{"eventName": ["INSERT"], "dynamodb": {"NewImage": {"entity": {"S": ["Notification"]}}}}'
        Everything:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: TRIM_HORIZON
            MaximumRetryAttempts: -1
        Paused:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: LATEST
            Enabled: false
"#;

    #[test]
    fn reads_dynamodb_stream_events() {
        let template = Template::parse(STREAM_TEMPLATE).unwrap();
        let mut streams = template.streams.clone();
        streams.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(
            streams,
            vec![
                StreamSubscription {
                    name: "Everything".into(),
                    function: "notify".into(),
                    batch_size: 100,
                    max_retries: None,
                    report_failures: false,
                    patterns: vec![],
                },
                StreamSubscription {
                    name: "Notifications".into(),
                    function: "notify".into(),
                    batch_size: 25,
                    max_retries: Some(5),
                    report_failures: true,
                    patterns: vec![serde_json::json!({
                        "eventName": ["INSERT"],
                        "dynamodb": {"NewImage": {"entity": {"S": ["Notification"]}}}
                    })],
                },
            ]
        );
        assert!(template.routes.is_empty() && template.schedules.is_empty());
    }

    #[test]
    fn reads_the_repository_stream_subscriptions() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        let template = Template::load(&path).unwrap();
        let notifications = template.streams.iter().find(|s| s.name == "NewNotifications").unwrap();
        assert!(template.functions.contains(&notifications.function));
        assert_eq!((notifications.batch_size, notifications.max_retries), (100, Some(5)));
        assert!(notifications.report_failures);
        assert_eq!(notifications.patterns.len(), 1);
    }

    #[test]
    fn refuses_malformed_stream_events() {
        let bad_pattern = STREAM_TEMPLATE.replace(r#"'{"eventName": ["INSERT"], "#, r#"'{"eventName": ["INSERT"] "#);
        assert!(matches!(Template::parse(&bad_pattern), Err(TemplateError::Shape(m)) if m.contains("Notifications")));
        let bad_size = STREAM_TEMPLATE.replace("BatchSize: 25", "BatchSize: 0");
        assert!(matches!(Template::parse(&bad_size), Err(TemplateError::Shape(m)) if m.contains("BatchSize")));
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
