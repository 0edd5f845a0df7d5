//! Local IAM: each function's `Policies` from template.yaml, resolved to the local stack's
//! ARNs, and the decision for every AWS call a function makes locally.
//!
//! DynamoDB Local and moto check no IAM, so a missing permission used to show only in AWS,
//! as an AccessDenied on the first real run. Here every SDK client the local stack builds
//! sends through [`crate::iam_http`]'s checking HTTP client: a call made while a function
//! runs (inside [`as_function`], set where the gateway and the tests invoke handlers) is
//! matched against that function's policy, and a call the policy does not allow is answered
//! the way AWS answers it, without reaching the emulator.
//!
//! What is modelled: identity-based `Allow`/`Deny` statements with `Action` and `Resource`
//! (wildcards `*` and `?`; an explicit deny wins; only an allow grants), the SAM policy
//! templates listed in [`sam_template`], and the intrinsics the template uses to name its
//! resources. What is not: `Condition`, `NotAction`/`NotResource` and managed policies (all
//! refused when the template is loaded, so nothing is silently ignored), resource policies,
//! permission boundaries, SCPs, KMS key policies. Calls made outside any function scope
//! (test fixtures, table creation, the stream poller reading the stream, which in AWS is the
//! event source mapping's role) are not checked.

use std::collections::HashMap;
use std::future::Future;
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde_yaml::Value;

use crate::template::Template;

/// The account local ARNs carry (also moto's, see infra/stack.sh).
pub const ACCOUNT_ID: &str = "000000000000";
/// The region local ARNs carry.
pub const REGION: &str = "us-east-1";
/// The id the local WebSocket API has in ARNs (`!Ref WebSocketApi`).
pub const LOCAL_WEBSOCKET_API: &str = "local-websocket-api";
/// Environment variable naming a file that gets one JSON line per checked call (audit).
pub const AUDIT_LOG_VARIABLE: &str = "PEERLEARN_IAM_AUDIT";

/// A function's policy cannot be read or resolved locally.
#[derive(Debug, thiserror::Error)]
pub enum IamError {
    /// Something in the function's `Policies` the local check does not understand; loading
    /// fails rather than guessing, so an unmodelled policy never passes silently.
    #[error("IAM policies of {function}: {message}")]
    Policy {
        /// The function (binary name).
        function: String,
        /// What is wrong.
        message: String,
    },
    /// No such function in the template.
    #[error("no function {0} in the template")]
    UnknownFunction(String),
}

/// The names the template's resources have in the local stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locals {
    /// The table the template's `Table` is locally.
    pub table: String,
    /// The notifications topic's ARN in the emulator, when there is one.
    pub topic_arn: Option<String>,
    /// The uploads bucket's name in the emulator, when there is one.
    pub bucket: Option<String>,
    /// The WebSocket API's id.
    pub websocket_api: String,
    /// The APIs' stage.
    pub stage: String,
}

impl Locals {
    /// Table `table`, stage `stage`, no topic or bucket.
    pub fn new(table: &str, stage: &str) -> Self {
        Self {
            table: table.to_owned(),
            topic_arn: None,
            bucket: None,
            websocket_api: LOCAL_WEBSOCKET_API.to_owned(),
            stage: stage.to_owned(),
        }
    }

    /// What `app` talks to: its table, topic and bucket, with `template`'s stage.
    pub fn of_app(app: &shared::App, template: &Template) -> Self {
        let mut locals = Self::new(app.store.table(), &template.stage);
        locals.topic_arn = app.fanout.topic_arn().map(str::to_owned);
        locals.bucket = app.files.bucket().map(str::to_owned);
        locals
    }

    /// The table's ARN.
    pub fn table_arn(&self) -> String {
        table_arn(&self.table)
    }
}

/// The ARN of table `name` (a name that already is an ARN stays as it is).
pub fn table_arn(name: &str) -> String {
    if name.starts_with("arn:") {
        name.to_owned()
    } else {
        format!("arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}")
    }
}

/// Allow or deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Grants.
    Allow,
    /// Refuses, whatever else allows.
    Deny,
}

/// One resolved statement: its actions and resources may hold `*` and `?` wildcards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Allow or deny.
    pub effect: Effect,
    /// `service:Action` patterns.
    pub actions: Vec<String>,
    /// ARN patterns.
    pub resources: Vec<String>,
}

impl Statement {
    fn applies(&self, action: &str, resource: &str) -> bool {
        // Action names are case-insensitive in IAM; ARNs are not.
        self.actions.iter().any(|pattern| wildcard_match(pattern, action, true))
            && self.resources.iter().any(|pattern| wildcard_match(pattern, resource, false))
    }
}

/// The outcome of an authorization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// A statement allows it and none denies it.
    Allowed,
    /// No statement allows it.
    ImplicitDeny,
    /// A statement denies it.
    ExplicitDeny,
}

/// A function's identity-based policy: every statement of every entry in its `Policies`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// The statements, resolved to local ARNs.
    pub statements: Vec<Statement>,
}

impl Policy {
    /// IAM's evaluation for one identity policy: an explicit deny wins, else an allow grants,
    /// else it is denied.
    pub fn decide(&self, action: &str, resource: &str) -> Decision {
        let applying = || self.statements.iter().filter(|s| s.applies(action, resource));
        if applying().any(|s| s.effect == Effect::Deny) {
            Decision::ExplicitDeny
        } else if applying().any(|s| s.effect == Effect::Allow) {
            Decision::Allowed
        } else {
            Decision::ImplicitDeny
        }
    }

    /// Reads `entries` (a function's `Policies`) against `template`'s resources named as in
    /// `locals`.
    pub fn resolve(entries: &[Value], template: &Template, locals: &Locals) -> Result<Self, String> {
        let resolver = Resolver { template, locals };
        let mut statements = Vec::new();
        for entry in entries {
            statements.extend(resolver.entry(entry)?);
        }
        Ok(Self { statements })
    }
}

/// IAM wildcard matching: `*` is any run of characters, `?` any one.
pub fn wildcard_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let fold = |c: char| if ignore_case { c.to_ascii_lowercase() } else { c };
    let pattern: Vec<char> = pattern.chars().map(fold).collect();
    let text: Vec<char> = text.chars().map(fold).collect();
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was and which text position it currently swallows up to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// Resolves policy entries and intrinsics against the local stack.
struct Resolver<'a> {
    template: &'a Template,
    locals: &'a Locals,
}

impl Resolver<'_> {
    /// One entry of `Policies`: an inline document or a SAM policy template.
    fn entry(&self, entry: &Value) -> Result<Vec<Statement>, String> {
        match entry {
            Value::String(name) => Err(format!(
                "managed policy {name} is not modelled locally; write the statements it is needed for inline"
            )),
            Value::Mapping(map) if map.contains_key("Statement") => match map.get("Statement") {
                Some(Value::Sequence(list)) => list.iter().map(|s| self.statement(s)).collect(),
                Some(one) => Ok(vec![self.statement(one)?]),
                None => Ok(Vec::new()),
            },
            Value::Mapping(map) if map.len() == 1 => {
                let (name, parameters) = map.iter().next().ok_or("empty policy entry")?;
                let name = name.as_str().ok_or("a policy template name must be text")?;
                self.sam_template(name, parameters)
            }
            other => Err(format!("unreadable policy entry {other:?}")),
        }
    }

    fn statement(&self, statement: &Value) -> Result<Statement, String> {
        for unsupported in ["NotAction", "NotResource", "Condition", "NotPrincipal", "Principal"] {
            if statement.get(unsupported).is_some() {
                return Err(format!("statements with {unsupported} are not modelled locally"));
            }
        }
        let effect = match statement.get("Effect").and_then(Value::as_str) {
            Some("Allow") => Effect::Allow,
            Some("Deny") => Effect::Deny,
            other => return Err(format!("Effect must be Allow or Deny, not {other:?}")),
        };
        let list = |name: &str| -> Result<Vec<String>, String> {
            match statement.get(name) {
                Some(Value::Sequence(items)) => items.iter().map(|item| self.text(item)).collect(),
                Some(one) => Ok(vec![self.text(one)?]),
                None => Err(format!("a statement without {name}")),
            }
        };
        Ok(Statement { effect, actions: list("Action")?, resources: list("Resource")? })
    }

    /// Expands the SAM policy templates the stack supports, as in SAM's
    /// policy_templates.json; any other fails loudly.
    fn sam_template(&self, name: &str, parameters: &Value) -> Result<Vec<Statement>, String> {
        let parameter = |key: &str| -> Result<String, String> {
            let value = parameters.get(key).ok_or_else(|| format!("{name} needs {key}"))?;
            self.text(value)
        };
        let allow = |actions: &[&str], resources: Vec<String>| {
            vec![Statement {
                effect: Effect::Allow,
                actions: actions.iter().map(|a| (*a).to_owned()).collect(),
                resources,
            }]
        };
        let table = || -> Result<Vec<String>, String> {
            let arn = table_arn(&parameter("TableName")?);
            Ok(vec![arn.clone(), format!("{arn}/index/*")])
        };
        let bucket = || -> Result<Vec<String>, String> {
            let name = parameter("BucketName")?;
            Ok(vec![format!("arn:aws:s3:::{name}"), format!("arn:aws:s3:::{name}/*")])
        };
        Ok(match name {
            "DynamoDBCrudPolicy" => allow(
                &[
                    "dynamodb:GetItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:PutItem",
                    "dynamodb:Scan",
                    "dynamodb:Query",
                    "dynamodb:UpdateItem",
                    "dynamodb:BatchWriteItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:DescribeTable",
                    "dynamodb:ConditionCheckItem",
                ],
                table()?,
            ),
            "DynamoDBReadPolicy" => allow(
                &[
                    "dynamodb:GetItem",
                    "dynamodb:Scan",
                    "dynamodb:Query",
                    "dynamodb:BatchGetItem",
                    "dynamodb:DescribeTable",
                ],
                table()?,
            ),
            "DynamoDBWritePolicy" => {
                allow(&["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"], table()?)
            }
            "SNSPublishMessagePolicy" => {
                allow(&["sns:Publish"], vec![format!("arn:aws:sns:{REGION}:{ACCOUNT_ID}:{}", parameter("TopicName")?)])
            }
            "S3ReadPolicy" => allow(
                &[
                    "s3:GetObject",
                    "s3:ListBucket",
                    "s3:GetBucketLocation",
                    "s3:GetObjectVersion",
                    "s3:GetLifecycleConfiguration",
                ],
                bucket()?,
            ),
            "S3CrudPolicy" => allow(
                &[
                    "s3:GetObject",
                    "s3:ListBucket",
                    "s3:GetBucketLocation",
                    "s3:GetObjectVersion",
                    "s3:PutObject",
                    "s3:PutObjectAcl",
                    "s3:GetLifecycleConfiguration",
                    "s3:PutLifecycleConfiguration",
                    "s3:DeleteObject",
                ],
                bucket()?,
            ),
            "S3WritePolicy" => allow(&["s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"], bucket()?),
            other => return Err(format!("SAM policy template {other} is not modelled locally (see iam.rs)")),
        })
    }

    /// A value that may be an intrinsic (`!Ref`, `!GetAtt`, `!Sub`, or their long forms).
    fn text(&self, value: &Value) -> Result<String, String> {
        match value {
            Value::String(text) => Ok(text.clone()),
            Value::Number(number) => Ok(number.to_string()),
            Value::Tagged(tagged) => {
                let tag = tagged.tag.to_string();
                self.intrinsic(tag.trim_start_matches('!'), &tagged.value)
            }
            Value::Mapping(map) if map.len() == 1 => {
                let (name, argument) = map.iter().next().ok_or("empty mapping")?;
                match name.as_str() {
                    Some("Ref") => self.intrinsic("Ref", argument),
                    Some(long) if long.starts_with("Fn::") => self.intrinsic(&long["Fn::".len()..], argument),
                    _ => Err(format!("unreadable value {value:?}")),
                }
            }
            other => Err(format!("unreadable value {other:?}")),
        }
    }

    fn intrinsic(&self, name: &str, argument: &Value) -> Result<String, String> {
        match (name, argument) {
            ("Ref", Value::String(id)) => self.reference(id),
            ("GetAtt", Value::String(path)) => {
                let (id, attribute) = path.split_once('.').ok_or_else(|| format!("!GetAtt {path} has no attribute"))?;
                self.attribute(id, attribute)
            }
            ("GetAtt", Value::Sequence(parts)) if parts.len() == 2 => {
                let id = parts[0].as_str().ok_or("!GetAtt names a resource")?;
                let attribute = parts[1].as_str().ok_or("!GetAtt names an attribute")?;
                self.attribute(id, attribute)
            }
            ("Sub", Value::String(text)) => self.sub(text, &HashMap::new()),
            ("Sub", Value::Sequence(parts)) if parts.len() == 2 => {
                let text = parts[0].as_str().ok_or("!Sub's first item is its text")?;
                let mut variables = HashMap::new();
                for (key, value) in parts[1].as_mapping().ok_or("!Sub's second item maps variables")? {
                    variables.insert(key.as_str().ok_or("a !Sub variable name")?.to_owned(), self.text(value)?);
                }
                self.sub(text, &variables)
            }
            (other, argument) => Err(format!("intrinsic {other} {argument:?} is not modelled locally")),
        }
    }

    fn sub(&self, text: &str, variables: &HashMap<String, String>) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find('}').ok_or_else(|| format!("unclosed ${{ in {text}"))?;
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                // `${!Literal}` is the text `${Literal}`.
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some(value) = variables.get(name) {
                out.push_str(value);
            } else if let Some((id, attribute)) = name.split_once('.') {
                out.push_str(&self.attribute(id, attribute)?);
            } else {
                out.push_str(&self.reference(name)?);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn reference(&self, id: &str) -> Result<String, String> {
        match id {
            "AWS::Partition" => return Ok("aws".into()),
            "AWS::Region" => return Ok(REGION.into()),
            "AWS::AccountId" => return Ok(ACCOUNT_ID.into()),
            "AWS::URLSuffix" => return Ok("amazonaws.com".into()),
            "AWS::StackName" => return Ok("peerlearn-local".into()),
            "Stage" => return Ok(self.locals.stage.clone()),
            _ => {}
        }
        if let Some(default) = self.template.parameters.get(id) {
            return Ok(default.clone());
        }
        match self.kind(id)? {
            "AWS::DynamoDB::Table" => self.table(id).map(str::to_owned),
            "AWS::SNS::Topic" => Ok(self.topic_arn(id)),
            "AWS::S3::Bucket" => Ok(self.bucket(id)),
            "AWS::ApiGatewayV2::Api" => Ok(self.locals.websocket_api.clone()),
            "AWS::SQS::Queue" => Ok(format!("https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{id}")),
            other => Err(format!("!Ref {id} ({other}) has no local stand-in")),
        }
    }

    fn attribute(&self, id: &str, attribute: &str) -> Result<String, String> {
        match (self.kind(id)?, attribute) {
            ("AWS::DynamoDB::Table", "Arn") => Ok(table_arn(self.table(id)?)),
            ("AWS::DynamoDB::Table", "StreamArn") => Ok(format!("{}/stream/*", table_arn(self.table(id)?))),
            ("AWS::SNS::Topic", "TopicArn") => Ok(self.topic_arn(id)),
            ("AWS::SNS::Topic", "TopicName") => {
                Ok(self.topic_arn(id).rsplit(':').next().unwrap_or_default().to_owned())
            }
            ("AWS::S3::Bucket", "Arn") => Ok(format!("arn:aws:s3:::{}", self.bucket(id))),
            ("AWS::SQS::Queue", "Arn") => Ok(format!("arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{id}")),
            // KMS is never called by the functions (S3 uses the key server-side), so the
            // ARN only has to resolve.
            ("AWS::KMS::Key", "Arn") => Ok(format!("arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/{id}")),
            ("AWS::SQS::Queue", "QueueName") => Ok(id.to_owned()),
            (kind, _) => Err(format!("!GetAtt {id}.{attribute} ({kind}) has no local stand-in")),
        }
    }

    fn kind(&self, id: &str) -> Result<&str, String> {
        self.template.resource_types.get(id).map(String::as_str).ok_or_else(|| format!("no resource or parameter {id}"))
    }

    /// The local stack creates one table, from the resource `Table`.
    fn table(&self, id: &str) -> Result<&str, String> {
        if id == "Table" { Ok(&self.locals.table) } else { Err(format!("table {id} has no local stand-in")) }
    }

    fn topic_arn(&self, id: &str) -> String {
        self.locals.topic_arn.clone().unwrap_or_else(|| format!("arn:aws:sns:{REGION}:{ACCOUNT_ID}:{id}"))
    }

    fn bucket(&self, id: &str) -> String {
        self.locals.bucket.clone().unwrap_or_else(|| id.to_lowercase())
    }
}

/// A function as IAM sees it: its name, its role's policy and the local names it resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Binary name (template `Metadata.BuildProperties.Binary`).
    pub function: String,
    /// Its policy.
    pub policy: Policy,
    /// The local resources its policy was resolved against.
    pub locals: Locals,
}

impl Principal {
    /// `function`'s principal from `template`, resolved against `locals`.
    pub fn resolve(template: &Template, function: &str, locals: &Locals) -> Result<Self, IamError> {
        let entries = template.policies.get(function).ok_or_else(|| IamError::UnknownFunction(function.to_owned()))?;
        let policy = Policy::resolve(entries, template, locals)
            .map_err(|message| IamError::Policy { function: function.to_owned(), message })?;
        Ok(Self { function: function.to_owned(), policy, locals: locals.clone() })
    }

    /// Every function of `template`, by binary name.
    pub fn all(template: &Template, locals: &Locals) -> Result<HashMap<String, Arc<Self>>, IamError> {
        template
            .functions
            .iter()
            .map(|function| Ok((function.clone(), Arc::new(Self::resolve(template, function, locals)?))))
            .collect()
    }

    /// The assumed-role ARN AWS names in its errors.
    pub fn arn(&self) -> String {
        format!("arn:aws:sts::{ACCOUNT_ID}:assumed-role/{0}-role/{0}", self.function)
    }
}

tokio::task_local! {
    /// The function whose code is running in this task.
    static CALLER: Arc<Principal>;
}

/// Runs `future` as `principal`: the AWS calls it makes are checked against its policy.
/// Tasks it spawns are not in the scope (the handlers spawn none).
pub async fn as_function<F: Future>(principal: Arc<Principal>, future: F) -> F::Output {
    CALLER.scope(principal, future).await
}

/// The function running in this task, if any.
pub fn caller() -> Option<Arc<Principal>> {
    CALLER.try_with(Arc::clone).ok()
}

/// One action on one resource a request needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// `service:Action`.
    pub action: String,
    /// The resource's ARN.
    pub resource: String,
}

impl Access {
    /// `action` on `resource`.
    pub fn new(action: impl Into<String>, resource: impl Into<String>) -> Self {
        Self { action: action.into(), resource: resource.into() }
    }
}

/// A refused call, as recorded and as reported to the SDK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    /// The function.
    pub function: String,
    /// The action refused.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// AWS's wording, naming all three.
    pub message: String,
}

/// Calls checked and denied in this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Calls made inside a function scope, each checked.
    pub checked: u64,
    /// Of those, refused.
    pub denied: u64,
}

static CHECKED: AtomicU64 = AtomicU64::new(0);
static DENIED: AtomicU64 = AtomicU64::new(0);
static DENIALS: Mutex<Vec<Denial>> = Mutex::new(Vec::new());
/// Denials kept for [`denials`]; older ones are dropped first.
const KEPT_DENIALS: usize = 1000;

/// Calls checked and denied so far in this process.
pub fn counts() -> Counts {
    Counts { checked: CHECKED.load(Ordering::Relaxed), denied: DENIED.load(Ordering::Relaxed) }
}

/// The most recent denials in this process, oldest first.
pub fn denials() -> Vec<Denial> {
    DENIALS.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

/// Authorizes one call of `principal` needing every access in `accesses`; the first one
/// refused is the denial (AWS also names one action and resource).
pub fn authorize(principal: &Principal, accesses: &[Access]) -> Result<(), Denial> {
    CHECKED.fetch_add(1, Ordering::Relaxed);
    let mut decided = Vec::new();
    let mut refused = None;
    for access in accesses {
        let decision = principal.policy.decide(&access.action, &access.resource);
        decided.push((access, decision == Decision::Allowed));
        let reason = match decision {
            Decision::Allowed => continue,
            Decision::ImplicitDeny => format!("because no identity-based policy allows the {} action", access.action),
            Decision::ExplicitDeny => "with an explicit deny in an identity-based policy".to_owned(),
        };
        refused = Some((access, reason));
        break;
    }
    audit(principal, &decided);
    let Some((access, reason)) = refused else { return Ok(()) };
    let message = format!(
        "User: {} is not authorized to perform: {} on resource: {} {reason}",
        principal.arn(),
        access.action,
        access.resource
    );
    Err(record(principal, access, message))
}

/// Refuses `access` outright with `message` (a call the check cannot read), recorded as a
/// checked and denied call.
pub fn refuse(principal: &Principal, access: &Access, message: String) -> Denial {
    CHECKED.fetch_add(1, Ordering::Relaxed);
    audit(principal, &[(access, false)]);
    record(principal, access, message)
}

fn record(principal: &Principal, access: &Access, message: String) -> Denial {
    let denial = Denial {
        function: principal.function.clone(),
        action: access.action.clone(),
        resource: access.resource.clone(),
        message,
    };
    DENIED.fetch_add(1, Ordering::Relaxed);
    tracing::error!(function = %denial.function, action = %denial.action, resource = %denial.resource, "IAM denied");
    let mut kept = DENIALS.lock().unwrap_or_else(PoisonError::into_inner);
    if kept.len() >= KEPT_DENIALS {
        kept.remove(0);
    }
    kept.push(denial.clone());
    denial
}

/// Appends one call's decisions to the audit file named by [`AUDIT_LOG_VARIABLE`], if set:
/// one JSON line per checked call, so runs in several processes (the test binaries) add up,
/// and what each function really uses shows, for keeping the policies least-privilege.
fn audit(principal: &Principal, decided: &[(&Access, bool)]) {
    let Some(path) = std::env::var_os(AUDIT_LOG_VARIABLE) else { return };
    let accesses: Vec<_> = decided
        .iter()
        .map(|(access, allowed)| {
            serde_json::json!({"action": access.action, "resource": access.resource, "allowed": allowed})
        })
        .collect();
    let line = serde_json::json!({
        "function": principal.function,
        "allowed": decided.iter().all(|(_, allowed)| *allowed),
        "accesses": accesses,
    });
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(format!("{line}\n").as_bytes()));
    if let Err(error) = written {
        tracing::warn!(%error, "IAM audit log not written");
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn statement(effect: Effect, actions: &[&str], resources: &[&str]) -> Statement {
        Statement {
            effect,
            actions: actions.iter().map(|a| (*a).to_owned()).collect(),
            resources: resources.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    const TABLE: &str = "arn:aws:dynamodb:us-east-1:000000000000:table/t";

    #[test]
    fn wildcards_match_runs_and_single_characters() {
        assert!(wildcard_match("dynamodb:*", "dynamodb:GetItem", true));
        assert!(wildcard_match("s3:Get*", "s3:GetObjectVersion", true));
        assert!(!wildcard_match("s3:Get*", "s3:PutObject", true));
        assert!(wildcard_match("DYNAMODB:getitem", "dynamodb:GetItem", true), "actions ignore case");
        assert!(!wildcard_match("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/a", false), "ARNs do not");
        assert!(wildcard_match("arn:aws:s3:::b/a?c", "arn:aws:s3:::b/abc", false));
        assert!(!wildcard_match("arn:aws:s3:::b/a?c", "arn:aws:s3:::b/ac", false));
        assert!(wildcard_match("*", "", false));
        assert!(wildcard_match("a*b*c", "axxbyyc", false));
        assert!(!wildcard_match("a*b*c", "axxbyy", false));
        assert!(wildcard_match("*", "arn:aws:sns:us-east-1:0:topic", false));
    }

    #[test]
    fn only_allow_grants_and_deny_wins() {
        let policy = Policy {
            statements: vec![
                statement(Effect::Allow, &["dynamodb:*"], &[TABLE]),
                statement(Effect::Deny, &["dynamodb:DeleteItem"], &["*"]),
            ],
        };
        assert_eq!(policy.decide("dynamodb:GetItem", TABLE), Decision::Allowed);
        assert_eq!(policy.decide("dynamodb:DeleteItem", TABLE), Decision::ExplicitDeny);
        assert_eq!(policy.decide("sns:Publish", TABLE), Decision::ImplicitDeny);
        assert_eq!(Policy::default().decide("dynamodb:GetItem", TABLE), Decision::ImplicitDeny);
    }

    #[test]
    fn an_index_needs_its_own_arn() {
        let policy = Policy { statements: vec![statement(Effect::Allow, &["dynamodb:Query"], &[TABLE])] };
        assert_eq!(policy.decide("dynamodb:Query", TABLE), Decision::Allowed);
        assert_eq!(policy.decide("dynamodb:Query", &format!("{TABLE}/index/GSI1")), Decision::ImplicitDeny);
    }

    const TEMPLATE: &str = r#"
Parameters:
  Stage:
    Default: dev
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {}
  Topic:
    Type: AWS::SNS::Topic
  Bucket:
    Type: AWS::S3::Bucket
  WebSocketApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      RouteSelectionExpression: $request.body.action
  OneFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties:
        Binary: one
    Properties:
      Policies:
        - Version: '2012-10-17'
          Statement:
            - Effect: Allow
              Action: dynamodb:GetItem
              Resource:
                - !GetAtt Table.Arn
                - !Sub '${Table.Arn}/index/GSI1'
            - Effect: Allow
              Action: [sns:Publish]
              Resource: !Ref Topic
            - Effect: Allow
              Action: execute-api:ManageConnections
              Resource: !Sub 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebSocketApi}/${Stage}/POST/@connections/*'
            - Effect: Deny
              Action: dynamodb:GetItem
              Resource: {"Fn::Sub": ["${Arn}/index/Secret", {"Arn": {"Fn::GetAtt": ["Table", "Arn"]}}]}
        - DynamoDBReadPolicy:
            TableName: !Ref Table
        - SNSPublishMessagePolicy:
            TopicName: !GetAtt Topic.TopicName
        - S3CrudPolicy:
            BucketName: !Ref Bucket
"#;

    fn principal(text: &str) -> Result<Principal, IamError> {
        let template = Template::parse(text).unwrap();
        let mut locals = Locals::new("local-table", &template.stage);
        locals.topic_arn = Some("arn:aws:sns:us-east-1:000000000000:local-topic".into());
        Principal::resolve(&template, "one", &locals)
    }

    #[test]
    fn intrinsics_resolve_to_local_arns() {
        let policy = principal(TEMPLATE).unwrap().policy;
        let table = "arn:aws:dynamodb:us-east-1:000000000000:table/local-table";
        assert_eq!(policy.statements[0].resources, vec![table.to_owned(), format!("{table}/index/GSI1")]);
        assert_eq!(policy.statements[1].resources, vec!["arn:aws:sns:us-east-1:000000000000:local-topic"]);
        assert_eq!(
            policy.statements[2].resources,
            vec!["arn:aws:execute-api:us-east-1:000000000000:local-websocket-api/dev/POST/@connections/*"]
        );
        assert_eq!(policy.statements[3].resources, vec![format!("{table}/index/Secret")]);
        assert_eq!(policy.decide("dynamodb:GetItem", &format!("{table}/index/Secret")), Decision::ExplicitDeny);
    }

    #[test]
    fn sam_policy_templates_expand_as_sam_does() {
        let policy = principal(TEMPLATE).unwrap().policy;
        let table = "arn:aws:dynamodb:us-east-1:000000000000:table/local-table";
        // DynamoDBReadPolicy: the table and all its indexes, reads only.
        assert_eq!(policy.decide("dynamodb:Query", &format!("{table}/index/Other")), Decision::Allowed);
        assert_eq!(policy.decide("dynamodb:BatchGetItem", table), Decision::Allowed);
        assert_eq!(policy.decide("dynamodb:PutItem", table), Decision::ImplicitDeny);
        // SNSPublishMessagePolicy names the topic by name in this account.
        assert_eq!(policy.decide("sns:Publish", "arn:aws:sns:us-east-1:000000000000:local-topic"), Decision::Allowed);
        // S3CrudPolicy: objects and the bucket itself.
        assert_eq!(policy.decide("s3:PutObject", "arn:aws:s3:::bucket/a/b.png"), Decision::Allowed);
        assert_eq!(policy.decide("s3:ListBucket", "arn:aws:s3:::bucket"), Decision::Allowed);
        assert_eq!(policy.decide("s3:DeleteBucket", "arn:aws:s3:::bucket"), Decision::ImplicitDeny);
    }

    #[test]
    fn unmodelled_policies_fail_loudly() {
        let unknown = TEMPLATE.replace("S3CrudPolicy", "KinesisCrudPolicy");
        let error = principal(&unknown).unwrap_err().to_string();
        assert!(error.contains("one") && error.contains("KinesisCrudPolicy"), "{error}");
        let managed = TEMPLATE.replace(
            "        - S3CrudPolicy:\n            BucketName: !Ref Bucket\n",
            "        - AWSLambdaBasicExecutionRole\n",
        );
        assert!(principal(&managed).unwrap_err().to_string().contains("managed policy"));
        let condition = TEMPLATE.replace("Action: [sns:Publish]", "Action: [sns:Publish]\n              Condition: {}");
        assert!(principal(&condition).unwrap_err().to_string().contains("Condition"));
        let unknown_ref = TEMPLATE.replace("!Ref Topic", "!Ref Nothing");
        assert!(principal(&unknown_ref).unwrap_err().to_string().contains("Nothing"));
    }

    #[test]
    fn the_repository_policies_all_resolve() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        let template = Template::load(&path).unwrap();
        let principals = Principal::all(&template, &Locals::new("t", &template.stage)).unwrap();
        assert_eq!(principals.len(), template.functions.len());
        assert!(principals.values().all(|p| !p.policy.statements.is_empty()), "every function has a policy");
    }

    #[test]
    fn denials_name_function_action_and_resource() {
        let principal = principal(TEMPLATE).unwrap();
        let denied = authorize(&principal, &[Access::new("dynamodb:PutItem", TABLE)]).unwrap_err();
        assert_eq!(
            denied.message,
            "User: arn:aws:sts::000000000000:assumed-role/one-role/one is not authorized to perform: \
             dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/t because no \
             identity-based policy allows the dynamodb:PutItem action"
        );
        assert!(denials().contains(&denied));
        assert!(counts().denied >= 1 && counts().checked >= 1);
    }
}
